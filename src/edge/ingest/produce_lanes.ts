import type { LaneSink, LaneSinkFactory, RecordSink } from "../../core/routing/record_sink.ts";
import { OTHER_TENANT } from "../../core/route_map/tenancy.ts";
import { ProduceBatcher, type ProduceBatcherOptions } from "./produce_batcher.ts";
import type { TenantAcks } from "../tenant_metrics.ts";

/** `VELTRIX_PRODUCE_LANES`: a batcher and producer per listed tenant, or one for all. */
export const PRODUCE_LANE_MODES = ["tenant", "shared"] as const;
export type ProduceLaneMode = typeof PRODUCE_LANE_MODES[number];

/** The lane a connection writes through: its tenant label's, joined when it opens or when a new map relabels it. */
export interface ProduceLane {
  /** A listed tenant's name, or "other". */
  readonly label: string;
  readonly batcher: ProduceBatcher;
  /** What `submit` is given per event when tenants share the batcher; undefined when the lane is one tenant's. */
  readonly tenantAcks: TenantAcks | undefined;
}

/** What the lanes are made with. */
export interface ProduceLanesOptions {
  /** The knobs of every lane's batcher; `maxPendingEvents` holds per lane. */
  readonly batcher: ProduceBatcherOptions;
  /** The sink of the `other` lane (of every player when there is one lane): the edge's main producer. */
  readonly sink: RecordSink;
  /** Opens a producer of its own for a listed tenant's lane; absent, there is one lane (`shared`). */
  readonly openSink?: LaneSinkFactory;
  /** True when players have tenants (`VELTRIX_TENANT_CLAIM` set). */
  readonly tenantClaim: boolean;
  /** The ack histogram of a tenant label; absent, none is kept. */
  readonly tenantAcks?: (label: string) => TenantAcks;
  /** Told when a tenant's lane opens (true) or closes (false). */
  readonly onLane?: (label: string, open: boolean) => void;
}

interface Lane extends ProduceLane {
  /** Its own producer's sink; undefined for `other` (the main producer, closed by the Kafka side). */
  readonly sink: LaneSink | undefined;
  connections: number;
  /** The map in force no longer lists the tenant: the lane closes once it has no connection and nothing pending. */
  retired: boolean;
}

/**
 * The edge's produce lanes. With `openSink` and a tenant claim, each tenant the map in force lists
 * gets a {@link ProduceBatcher} and a producer of its own, so that its writes never queue behind
 * another tenant's; everyone else shares the `other` lane on the main producer. Otherwise there is
 * one lane, `other`, for every player: one batcher, one producer. A connection joins one lane when
 * it opens; a map that relabels it moves it to another only once none of its events is pending
 * (a player's events stay in order: `ConnectionLane`). A tenant's lane outlives the map that
 * listed it until its last connection left (closed or moved) and its last event settled, then its
 * producer closes.
 */
export class ProduceLanes {
  readonly #options: ProduceLanesOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #other: Lane;
  /** Set by `drain` (the edge stops): no lane opens after it. */
  #stopped = false;

  constructor(options: ProduceLanesOptions) {
    this.#options = options;
    // One tenant per lane: the batcher tells the tenant's histogram. Tenants sharing a batcher: each event does.
    const perEvent = options.tenantClaim && options.openSink === undefined;
    const tenantAcks = options.tenantAcks;
    this.#other = {
      label: OTHER_TENANT,
      batcher: new ProduceBatcher(options.sink, {
        ...options.batcher,
        ...(perEvent || tenantAcks === undefined ? {} : { tenantAcks: tenantAcks(OTHER_TENANT) }),
        ...(perEvent && tenantAcks !== undefined ? { perEventTenants: true } : {}),
      }),
      tenantAcks: undefined,
      sink: undefined,
      connections: 0,
      retired: false,
    };
    this.#lanes.set(OTHER_TENANT, this.#other);
  }

  /** The `other` lane's batcher (every player's when there is one lane). */
  get shared(): ProduceBatcher {
    return this.#other.batcher;
  }

  /** True when listed tenants get lanes of their own. */
  get perTenant(): boolean {
    return this.#options.openSink !== undefined && this.#options.tenantClaim;
  }

  /**
   * Follows the tenants a new map lists: opens a lane for each new one (its producer connects now,
   * before its first event), keeps the others, and retires those no longer listed.
   */
  follow(listed: readonly string[]): void {
    const openSink = this.#options.openSink;
    if (openSink === undefined || !this.#options.tenantClaim || this.#stopped) return;
    const names = new Set(listed);
    for (const lane of this.#lanes.values()) {
      if (lane === this.#other) continue;
      const retired = !names.has(lane.label);
      if (retired && !lane.retired) {
        lane.retired = true;
        this.#closeWhenIdle(lane);
      } else if (!retired) lane.retired = false;
    }
    for (const label of names) {
      if (this.#lanes.has(label)) continue;
      const sink = openSink(label);
      const tenantAcks = this.#options.tenantAcks?.(label);
      const options = { ...this.#options.batcher, ...(tenantAcks === undefined ? {} : { tenantAcks }) };
      const lane = { label, batcher: new ProduceBatcher(sink, options), tenantAcks: undefined, sink };
      this.#lanes.set(label, { ...lane, connections: 0, retired: false });
      this.#options.onLane?.(label, true);
    }
  }

  /** The lane of a connection of tenant `label` (a listed tenant's name or "other") that opens now. */
  join(label: string): ProduceLane {
    const lane = this.#lanes.get(label) ?? this.#other;
    lane.connections++;
    if (lane !== this.#other || !this.#options.tenantClaim || this.perTenant) return lane;
    // Tenants share the one batcher: each connection's events carry their tenant's histogram.
    const tenantAcks = this.#options.tenantAcks?.(label);
    return tenantAcks === undefined ? lane : { label, batcher: lane.batcher, tenantAcks };
  }

  /** A connection that joined `lane` closed, or moved to another lane. */
  leave(lane: ProduceLane): void {
    const joined = this.#lanes.get(lane.label) ?? this.#other;
    if (joined.batcher !== lane.batcher) return;
    joined.connections--;
    if (joined.retired && joined.connections === 0) this.#closeWhenIdle(joined);
  }

  /** The lanes open now (`other` first), by label. */
  labels(): string[] {
    return [...this.#lanes.keys()];
  }

  /** Events accepted by every lane and not yet reported delivered or failed. */
  get pendingEvents(): number {
    let pending = 0;
    for (const lane of this.#lanes.values()) pending += lane.batcher.pendingEvents;
    return pending;
  }

  /** Writes outstanding on every lane right now. */
  get inFlightBatches(): number {
    let writes = 0;
    for (const lane of this.#lanes.values()) writes += lane.batcher.inFlightBatches;
    return writes;
  }

  /**
   * Drains every lane at once ({@link ProduceBatcher.drain}), then closes the tenants' producers;
   * resolves with how many events failed at the timeout.
   */
  async drain(timeoutMs = Infinity): Promise<number> {
    this.#stopped = true;
    const lanes = [...this.#lanes.values()];
    const left = await Promise.all(lanes.map((lane) => lane.batcher.drain(timeoutMs)));
    await Promise.all(lanes.map((lane) => lane.sink?.close()));
    return left.reduce((sum, n) => sum + n, 0);
  }

  /** Closes `lane`'s producer once it is retired, has no connection and nothing pending. */
  #closeWhenIdle(lane: Lane): void {
    void lane.batcher.drain().then(() => {
      if (!lane.retired || lane.connections > 0 || lane.batcher.pendingEvents > 0) return;
      if (this.#lanes.get(lane.label) !== lane) return;
      this.#lanes.delete(lane.label);
      this.#options.onLane?.(lane.label, false);
      return lane.sink?.close();
    });
  }
}
