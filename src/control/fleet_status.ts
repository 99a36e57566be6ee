import type { EdgeRefusal, EdgeStatus, EdgeStatusFeed } from "../core/fleet/edge_status.ts";
import { type FleetView, fleetView } from "../core/fleet/fleet_view.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { RouteControl } from "./route_control.ts";

/** How often an edge writes its status when nothing changes, in ms. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** How old a heartbeat may be before its edge counts as gone, in ms. */
export const DEFAULT_STALE_MS = 15_000;

/** What fleet status works with. */
export interface FleetStatusOptions {
  readonly edgeId: string;
  readonly control: RouteControl;
  /** Where this edge's status goes; `publish` may throw until Kafka is reachable (retried at the next beat). */
  readonly feed: EdgeStatusFeed;
  readonly logger: Logger;
  /** @default DEFAULT_HEARTBEAT_MS */
  readonly heartbeatMs?: number;
  /** @default DEFAULT_STALE_MS */
  readonly staleMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Rollout status, the loop closed: this edge's status (version in force, when it was applied,
 * the last refused version and why) written to the fleet at start, on every change and every
 * heartbeat; and every edge's latest status as read back, for `GET /v1/fleet`.
 */
export class FleetStatus {
  readonly #options: FleetStatusOptions;
  readonly #latest = new Map<string, EdgeStatus>();
  readonly #startedAt: string;
  readonly #now: () => number;
  #refused: EdgeRefusal | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stops: (() => void)[] = [];
  #publishing: Promise<void> = Promise.resolve();
  #liveEdges = 1;
  readonly #liveListeners = new Set<(liveEdges: number) => void>();

  constructor(options: FleetStatusOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = new Date(this.#now()).toISOString();
  }

  /** How old a heartbeat may be before its edge counts as gone, in ms. */
  get staleMs(): number {
    return this.#options.staleMs ?? DEFAULT_STALE_MS;
  }

  /** This edge's status as of now. */
  own(): EdgeStatus {
    const control = this.#options.control;
    const current = control.current;
    const status: EdgeStatus = {
      edgeId: this.#options.edgeId,
      version: current.version.toString(),
      appliedAt: current.source === "embedded" ? this.#startedAt : current.appliedAt.toISOString(),
      source: current.source,
      startedAt: this.#startedAt,
      heartbeatAt: new Date(this.#now()).toISOString(),
      counts: control.versionCounts(),
    };
    const canary = control.canary?.applied;
    return {
      ...status,
      ...(this.#refused === undefined ? {} : { refused: this.#refused }),
      ...(canary === undefined ? {} : {
        canary: {
          version: canary.version.toString(),
          cohort: canary.cohort ?? "",
          appliedAt: canary.appliedAt.toISOString(),
        },
      }),
    };
  }

  /** Takes a status read from the fleet; an older record of an edge than the one held is ignored. */
  observe(status: EdgeStatus): void {
    const held = this.#latest.get(status.edgeId);
    const heartbeat = Date.parse(status.heartbeatAt);
    if (held === undefined || Date.parse(held.heartbeatAt) <= heartbeat) {
      this.#latest.set(status.edgeId, status);
      // A stale record (the history read back at start) cannot change the count: only a fresh one is counted.
      if (this.#now() - heartbeat <= this.staleMs) this.checkLiveEdges();
    }
  }

  /** Live edges as of the last check (this one included, so at least 1): checked on every status read and every heartbeat. */
  get liveEdges(): number {
    return this.#liveEdges;
  }

  /**
   * Calls `listener` with the number of live edges (this one included) whenever it changes: a
   * new edge is read, or one's heartbeat grows older than the stale limit (seen within a
   * heartbeat). With Kafka out of reach the others go stale and the count falls to 1. Returns the
   * listener's removal.
   */
  onLiveEdges(listener: (liveEdges: number) => void): () => void {
    this.#liveListeners.add(listener);
    return () => this.#liveListeners.delete(listener);
  }

  /** Counts the live edges now, and tells the listeners when the count changed; returns it. */
  checkLiveEdges(): number {
    const now = this.#now();
    let live = 1;
    for (const [edgeId, status] of this.#latest) {
      if (edgeId !== this.#options.edgeId && now - Date.parse(status.heartbeatAt) <= this.staleMs) live++;
    }
    if (live === this.#liveEdges) return live;
    this.#liveEdges = live;
    for (const listener of this.#liveListeners) listener(live);
    return live;
  }

  /** Every edge, live or gone, with this edge's own status as of now. */
  view(): FleetView {
    const all = new Map(this.#latest);
    all.set(this.#options.edgeId, this.own());
    return fleetView(all.values(), this.#now(), this.staleMs);
  }

  /** Starts writing: now, on every applied or refused update, and every heartbeat. */
  start(): void {
    const control = this.#options.control;
    this.#stops.push(control.onApplied(() => this.publish()));
    this.#stops.push(control.onRefused((refused) => {
      this.#refused = {
        version: refused.version?.toString() ?? "",
        code: refused.error.code,
        reason: refused.error.message,
        at: new Date(this.#now()).toISOString(),
      };
      void this.publish();
    }));
    this.#timer = setInterval(() => {
      this.checkLiveEdges();
      void this.publish();
    }, this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    void this.publish();
  }

  /** Writes this edge's status now (after any write in progress); a failure is logged at debug level and retried at the next beat. */
  publish(): Promise<void> {
    this.#publishing = this.#publishing.then(async () => {
      const status = this.own();
      this.observe(status);
      try {
        await this.#options.feed.publish(status);
      } catch (error) {
        this.#options.logger.debug("edge status not written yet", { error });
      }
    });
    return this.#publishing;
  }

  /**
   * Stops writing. A write in progress is not waited for: with Kafka down it could take the
   * produce timeout, and the Kafka side, stopped next, ends it.
   */
  stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#liveListeners.clear();
    return Promise.resolve();
  }
}
