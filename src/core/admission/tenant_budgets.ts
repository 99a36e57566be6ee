import type { EventReject } from "../frames/frame_types.ts";
import type { Tenancy, TenantQuota, TenantTable } from "../route_map/tenancy.ts";
import { TokenBucket } from "./token_bucket.ts";

/**
 * What one tenant uses of an edge now: its event and byte buckets, and its open connections.
 * Shared by every connection of the tenant; the buckets follow the quota of the map in force.
 */
export class TenantBudget {
  /** The tenant's metrics label: a listed tenant's name, or "other". */
  readonly label: string;
  #quota: TenantQuota;
  #events: TokenBucket | undefined;
  #bytes: TokenBucket | undefined;
  /** Open connections of the tenant on this edge. */
  connections = 0;
  /** Events taken within the quota so far. */
  admitted = 0;
  /** Events refused for the quota so far (OVERLOADED). */
  overQuota = 0;
  /** Frame bytes taken so far. */
  bytes = 0;

  constructor(quota: TenantQuota, nowMs: number) {
    this.label = quota.name;
    this.#quota = quota;
    this.#events = bucket(quota.eventsPerSecond, nowMs);
    this.#bytes = bucket(quota.bytesPerSecond, nowMs);
  }

  /** The quota the buckets follow. */
  get quota(): TenantQuota {
    return this.#quota;
  }

  /** Follows `quota` (a new map): buckets start full again when a rate changed. */
  follow(quota: TenantQuota, nowMs: number): void {
    if (quota === this.#quota) return;
    if (quota.eventsPerSecond !== this.#quota.eventsPerSecond) this.#events = bucket(quota.eventsPerSecond, nowMs);
    if (quota.bytesPerSecond !== this.#quota.bytesPerSecond) this.#bytes = bucket(quota.bytesPerSecond, nowMs);
    this.#quota = quota;
  }

  /**
   * Follows the quota the `stable` map gives this tenant (while it still lists it), and returns
   * the table the tenant's events are routed by: its own in `map` when it has a topic prefix.
   */
  route<T extends TenantTable & { readonly tenancy: Tenancy<T> }>(stable: Tenancy, map: T, nowMs: number): T {
    const quota = stable.quotaOf(this.label);
    if (quota.name === this.label) this.follow(quota, nowMs);
    return map.tenancy.tableOf(this.label) ?? map;
  }

  /** Takes a frame's `bytes` from the byte bucket; false when the tenant is over its bytes per second. */
  takeBytes(bytes: number, nowMs: number): boolean {
    if (this.#bytes !== undefined && !this.#bytes.takeDebt(bytes, nowMs)) return false;
    this.bytes += bytes;
    return true;
  }

  /** Takes one event from the event bucket; false when the tenant is over its events per second. */
  takeEvent(nowMs: number): boolean {
    if (this.#events !== undefined && !this.#events.take(nowMs)) return false;
    this.admitted++;
    return true;
  }

  /** Counts event `id` as over quota, and says why it is refused after a take failed: OVERLOADED with how long until the tenant has room. */
  refuse(id: string, nowMs: number): EventReject {
    this.overQuota++;
    const wait = Math.max(this.#events?.msUntilNext(nowMs) ?? 0, this.#bytes?.msUntilNext(nowMs) ?? 0);
    return {
      id,
      code: "OVERLOADED",
      message: `tenant ${this.label} is over its quota on this edge`,
      retryAfterMs: Math.max(wait, 10),
    };
  }

  /** True when another connection would exceed the tenant's connection cap. */
  get full(): boolean {
    return this.connections >= this.#quota.maxConnections;
  }
}

function bucket(ratePerSecond: number, nowMs: number): TokenBucket | undefined {
  return Number.isFinite(ratePerSecond) ? new TokenBucket(ratePerSecond, ratePerSecond * 2, nowMs) : undefined;
}

/**
 * The budgets of an edge's tenants, one per label: each tenant a map in force listed, and "other"
 * for the rest. Labels are bounded by the maps' tenants however many claim values come, so a
 * budget is kept for the life of the edge (its counts are the tenant's metrics).
 */
export class TenantBudgets {
  readonly #budgets = new Map<string, TenantBudget>();

  /** The budget of `quota`'s tenant, following `quota`. */
  budgetOf(quota: TenantQuota, nowMs: number): TenantBudget {
    let budget = this.#budgets.get(quota.name);
    if (budget === undefined) {
      budget = new TenantBudget(quota, nowMs);
      this.#budgets.set(quota.name, budget);
    } else budget.follow(quota, nowMs);
    return budget;
  }

  /** Every budget, for metrics. */
  values(): IterableIterator<TenantBudget> {
    return this.#budgets.values();
  }
}
