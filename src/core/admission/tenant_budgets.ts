import type { EventReject } from "../frames/frame_types.ts";
import type { Tenancy, TenantQuota, TenantTable } from "../route_map/tenancy.ts";
import { TokenBucket } from "./token_bucket.ts";
import { quotaShare } from "./quota_share.ts";

/**
 * What one tenant uses of an edge now: its event and byte buckets, and its open connections.
 * Shared by every connection of the tenant; the buckets follow the quota of the map in force,
 * divided among the live edges when the map's quotas hold for the fleet ({@link quotaShare}).
 */
export class TenantBudget {
  /** The tenant's metrics label: a listed tenant's name, or "other". */
  readonly label: string;
  /** The quota as the map gives it. */
  #given: TenantQuota;
  /** The part of it this edge enforces. */
  #quota: TenantQuota;
  #liveEdges: number;
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

  constructor(quota: TenantQuota, nowMs: number, liveEdges = 1) {
    this.label = quota.name;
    this.#given = quota;
    this.#liveEdges = liveEdges;
    this.#quota = quotaShare(quota, liveEdges);
    this.#events = bucket(this.#quota.eventsPerSecond, nowMs);
    this.#bytes = bucket(this.#quota.bytesPerSecond, nowMs);
  }

  /** The limits this edge enforces: the map's quota, or this edge's share of it under the fleet scope. */
  get quota(): TenantQuota {
    return this.#quota;
  }

  /** The quota as the map gives it (for the whole fleet under the fleet scope). */
  get given(): TenantQuota {
    return this.#given;
  }

  /** Follows `quota` (a new map): a bucket whose rate changed starts full again. */
  follow(quota: TenantQuota, nowMs: number): void {
    if (quota === this.#given) return;
    const share = quotaShare(quota, this.#liveEdges);
    if (share.eventsPerSecond !== this.#quota.eventsPerSecond) this.#events = bucket(share.eventsPerSecond, nowMs);
    if (share.bytesPerSecond !== this.#quota.bytesPerSecond) this.#bytes = bucket(share.bytesPerSecond, nowMs);
    this.#given = quota;
    this.#quota = share;
  }

  /**
   * Follows the number of live edges in the fleet (itself included). Under the fleet scope the
   * rates change without refilling or draining: each bucket keeps its tokens, clamped to the new
   * burst. A bucket that had no limit starts full; one whose limit goes away is dropped.
   */
  share(liveEdges: number, nowMs: number): void {
    if (liveEdges === this.#liveEdges) return;
    this.#liveEdges = liveEdges;
    const share = quotaShare(this.#given, liveEdges);
    this.#events = retuned(this.#events, share.eventsPerSecond, nowMs);
    this.#bytes = retuned(this.#bytes, share.bytesPerSecond, nowMs);
    this.#quota = share;
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
      message: this.#quota.scope === "fleet"
        ? `tenant ${this.label} is over its share of its fleet quota on this edge`
        : `tenant ${this.label} is over its quota on this edge`,
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

/** `held` at `ratePerSecond` (bursts of twice that) from now on, its tokens kept. */
function retuned(held: TokenBucket | undefined, ratePerSecond: number, nowMs: number): TokenBucket | undefined {
  if (held === undefined || !Number.isFinite(ratePerSecond)) return bucket(ratePerSecond, nowMs);
  held.retune(ratePerSecond, ratePerSecond * 2, nowMs);
  return held;
}

/**
 * The budgets of an edge's tenants, one per label: each tenant a map in force listed, and "other"
 * for the rest. Labels are bounded by the maps' tenants however many claim values come, so a
 * budget is kept for the life of the edge (its counts are the tenant's metrics).
 */
export class TenantBudgets {
  readonly #budgets = new Map<string, TenantBudget>();
  #liveEdges = 1;

  /** The live edges of the fleet as last told, itself included (1 until told otherwise). */
  get liveEdges(): number {
    return this.#liveEdges;
  }

  /** Tells every budget, and those made later, how many live edges the fleet has (at least 1). */
  share(liveEdges: number, nowMs: number): void {
    this.#liveEdges = Math.max(1, liveEdges);
    for (const budget of this.#budgets.values()) budget.share(this.#liveEdges, nowMs);
  }

  /** The budget of `quota`'s tenant, following `quota`. */
  budgetOf(quota: TenantQuota, nowMs: number): TenantBudget {
    let budget = this.#budgets.get(quota.name);
    if (budget === undefined) {
      budget = new TenantBudget(quota, nowMs, this.#liveEdges);
      this.#budgets.set(quota.name, budget);
    } else budget.follow(quota, nowMs);
    return budget;
  }

  /** Every budget, for metrics. */
  values(): IterableIterator<TenantBudget> {
    return this.#budgets.values();
  }
}
