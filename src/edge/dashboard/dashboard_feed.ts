import type { Registry } from "prom-client";
import { appliedToJson } from "../../core/route_map/applied_route_map_json.ts";
import type { AppliedRouteMap, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { bucketDelta, type CumulativeBucket, histogramQuantile } from "../../core/ops/histogram_quantile.ts";
import type { Logger } from "../../core/ops/logger.ts";
import type { RoutePattern } from "../../core/route_map/route_pattern.ts";
import type { FleetView } from "../../core/fleet/fleet_view.ts";
import { Format, KeyStrategy } from "../../gen/veltrix/v1/route_map_pb.ts";
import {
  ACK_WINDOW_MS,
  readTenantSample,
  TenantAckWindows,
  tenantRows,
  type TenantSample,
} from "./dashboard_tenants.ts";
import { sharedQuotas } from "../../core/admission/quota_share.ts";

/** One interval of the edge, as the dashboard shows and charts it. */
export interface DashboardPoint {
  /** End of the interval, ms since the epoch. */
  readonly at: number;
  readonly receivedPerSecond: number;
  readonly ackedPerSecond: number;
  /** `veltrix_events_received_total` at the end of the interval. */
  readonly received: number;
  /** `veltrix_events_acked_total` at the end of the interval. */
  readonly acked: number;
  /** Ack latency of the events acked in the interval, in ms; null when none was. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly connections: number;
  readonly inFlight: number;
  /** Every reject code seen since the edge started, by code. */
  readonly rejects: readonly { readonly code: string; readonly total: number; readonly perSecond: number }[];
  readonly routeVersion: string;
}

/** One message to a dashboard, ready for SSE: `data` is JSON. */
export interface DashboardMessage {
  /**
   * `snapshot` (on subscribe: `{edgeId, intervalMs, points}`, the latest points oldest first),
   * `point` (a DashboardPoint, every interval) or `routes` (on subscribe and after every applied
   * map: `{current, deadLetterTopic, routes, history}`, history newest first) or `fleet` (on
   * subscribe and every interval, when the edge has fleet status: `{live, gone}` edge statuses) or
   * `dry-run` (on subscribe and when a new one was answered: the last dry run's report, with `at`) or
   * `tenants` (every interval, and the latest on subscribe: `{at, ackWindowSeconds, tenants}`, a
   * DashboardTenant per tenant the stable map lists, then "other"; see `dashboard_tenants.ts`).
   */
  readonly event: "snapshot" | "point" | "routes" | "fleet" | "dry-run" | "tenants";
  readonly data: string;
}

/** The part of the control plane the dashboard reads: the version in force and the history. */
export interface RouteHistory {
  readonly current: AppliedRouteMap;
  history(): readonly AppliedRouteMap[];
  /** Calls `listener` on every applied version; returns a function that stops it. */
  onApplied(listener: (applied: AppliedRouteMap) => void): () => void;
}

/** What the feed reads. */
export interface DashboardFeedOptions {
  /** The registry EdgeMetrics records into. */
  readonly registry: Registry;
  /** The applied versions (the control plane). */
  readonly control: RouteHistory;
  readonly routes: LiveRouteTable;
  readonly edgeId: string;
  readonly connections: () => number;
  readonly inFlightEvents: () => number;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** How many points a new subscriber gets. @default 300 */
  readonly historyPoints?: number;
  /** Where a failed sample is reported (at most once a minute). */
  readonly logger?: Logger;
  /** Every edge's rollout status, sent as `fleet` every interval; absent, none is sent. */
  readonly fleet?: () => FleetView;
  /** The live edges fleet-scoped tenant quotas are divided by: the tenants' quotas show this edge's share. @default 1 */
  readonly liveEdges?: () => number;
  /** The last dry run answered on this edge (a report with `at`), sent as `dry-run` when it changes. */
  readonly lastDryRun?: () => { readonly at: string } | undefined;
}

/** The counters and the histogram the points are computed from, at one moment. */
interface MetricsSample {
  /** performance.now() when it was taken. */
  readonly takenAt: number;
  readonly received: number;
  readonly acked: number;
  readonly rejected: ReadonlyMap<string, number>;
  readonly ackLatency: readonly CumulativeBucket[];
  readonly tenants: TenantSample;
}

const RECEIVED = "veltrix_events_received_total";
const ACKED = "veltrix_events_acked_total";
const REJECTED = "veltrix_events_rejected_total";
const ACK_LATENCY = "veltrix_ack_latency_seconds";

/**
 * The live data of the ops dashboard. While at least one subscriber is connected, one timer reads
 * the edge's Prometheus counters and ack-latency histogram every interval and sends a point: rates
 * from counter deltas, p50/p99 from the histogram's bucket deltas (nothing is added to the
 * per-event path). The latest points are kept in a ring for new subscribers. The route table and
 * the version history go to each new subscriber and to all of them whenever a map is applied.
 */
export class DashboardFeed {
  readonly #options: DashboardFeedOptions;
  readonly #intervalMs: number;
  readonly #historyPoints: number;
  readonly #subscribers = new Set<(message: DashboardMessage) => void>();
  readonly #points: DashboardPoint[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopWatchingRoutes: (() => unknown) | undefined;
  #previous: MetricsSample | undefined;
  /** Bumped on every start and stop, so that a sample still being read from an earlier run is dropped. */
  #run = 0;
  #sampling = false;
  #lastErrorLogged = -Infinity;
  /** When the last dry run broadcast was answered, so that each is sent once. */
  #dryRunSent: string | undefined;
  /** The latest `tenants` message, for new subscribers. */
  #tenants: DashboardMessage | undefined;
  /** Each tenant's ack latency over the last 10 s, for its p99; restarted with the sampling. */
  #ackWindows = new TenantAckWindows();

  constructor(options: DashboardFeedOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#historyPoints = options.historyPoints ?? 300;
  }

  /** How many subscribers are connected. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** True while the sampling timer runs (exactly while there are subscribers). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Sends `listener` the snapshot and the routes now, then every point and route change until the
   * returned function is called. A listener that throws is dropped.
   */
  subscribe(listener: (message: DashboardMessage) => void): () => void {
    this.#subscribers.add(listener);
    if (this.#subscribers.size === 1) this.#start();
    const snapshot = { edgeId: this.#options.edgeId, intervalMs: this.#intervalMs, points: this.#points };
    this.#send(listener, { event: "snapshot", data: JSON.stringify(snapshot) });
    this.#send(listener, this.#routesMessage());
    const fleet = this.#options.fleet;
    if (fleet) this.#send(listener, { event: "fleet", data: JSON.stringify(fleet()) });
    const dryRun = this.#options.lastDryRun?.();
    if (dryRun) this.#send(listener, { event: "dry-run", data: JSON.stringify(dryRun) });
    if (this.#tenants) this.#send(listener, this.#tenants);
    return () => this.#unsubscribe(listener);
  }

  #unsubscribe(listener: (message: DashboardMessage) => void): void {
    if (this.#subscribers.delete(listener) && this.#subscribers.size === 0) this.#stop();
  }

  #send(listener: (message: DashboardMessage) => void, message: DashboardMessage): void {
    if (!this.#subscribers.has(listener)) return;
    try {
      listener(message);
    } catch {
      this.#unsubscribe(listener);
    }
  }

  #broadcast(message: DashboardMessage): void {
    for (const listener of [...this.#subscribers]) this.#send(listener, message);
  }

  #start(): void {
    this.#run++;
    this.#previous = undefined;
    this.#ackWindows = new TenantAckWindows();
    // The map is read after the apply has returned, never on its path.
    this.#stopWatchingRoutes = this.#options.control.onApplied(() =>
      queueMicrotask(() => {
        if (this.#subscribers.size > 0) this.#broadcast(this.#routesMessage());
      })
    );
    void this.#sample(); // the baseline the first point is measured from
    const timer = setInterval(() => void this.#sample(), this.#intervalMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #stop(): void {
    this.#run++;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopWatchingRoutes?.();
    this.#stopWatchingRoutes = undefined;
  }

  async #sample(): Promise<void> {
    if (this.#sampling) return; // a slow read skips a beat rather than piling up
    this.#sampling = true;
    const run = this.#run;
    try {
      const sample = await readSample(this.#options.registry);
      if (run !== this.#run) return;
      const previous = this.#previous;
      this.#previous = sample;
      if (previous === undefined) return;
      const point = pointBetween(previous, sample, {
        at: Date.now(),
        connections: this.#options.connections(),
        inFlight: this.#options.inFlightEvents(),
        routeVersion: this.#options.routes.table.versionText,
      });
      this.#points.push(point);
      if (this.#points.length > this.#historyPoints) this.#points.splice(0, this.#points.length - this.#historyPoints);
      this.#broadcast({ event: "point", data: JSON.stringify(point) });
      const seconds = Math.max(sample.takenAt - previous.takenAt, 1) / 1000;
      const quotas = sharedQuotas(this.#options.routes.table.tenancy, this.#options.liveEdges?.() ?? 1);
      const tenants = tenantRows(quotas, previous.tenants, sample.tenants, seconds, this.#ackWindows, sample.takenAt);
      const message = { at: point.at, ackWindowSeconds: ACK_WINDOW_MS / 1000, tenants };
      this.#tenants = { event: "tenants", data: JSON.stringify(message) };
      this.#broadcast(this.#tenants);
      const fleet = this.#options.fleet;
      if (fleet) this.#broadcast({ event: "fleet", data: JSON.stringify(fleet()) });
      const dryRun = this.#options.lastDryRun?.();
      if (dryRun && dryRun.at !== this.#dryRunSent) {
        this.#dryRunSent = dryRun.at;
        this.#broadcast({ event: "dry-run", data: JSON.stringify(dryRun) });
      }
    } catch (error) {
      const now = Date.now();
      if (now - this.#lastErrorLogged >= 60_000) {
        this.#lastErrorLogged = now;
        this.#options.logger?.warn("dashboard: could not read the metrics", { error });
      }
    } finally {
      this.#sampling = false;
    }
  }

  #routesMessage(): DashboardMessage {
    const { control, routes } = this.#options;
    const table = routes.table;
    const body = {
      current: appliedToJson(control.current),
      canary: routes.snapshot.canary === undefined ? null : appliedToJson(routes.snapshot.canary.applied),
      deadLetterTopic: table.deadLetterTopic ?? null,
      routes: table.routes.map((route) => ({
        name: route.name,
        match: matchText(route.pattern),
        targets: route.targets.map((target) => ({
          topic: target.topic,
          key: KeyStrategy[target.key],
          format: Format[target.format],
        })),
      })),
      history: control.history().map(appliedToJson).reverse(),
    };
    return { event: "routes", data: JSON.stringify(body) };
  }
}

/** Reads the counters and the ack-latency buckets from the registry. */
async function readSample(registry: Registry): Promise<MetricsSample> {
  const read = (name: string) => {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) throw new Error(`metric ${name} is not registered`);
    return metric.get();
  };
  const [received, acked, rejected, latency, tenants] = await Promise.all([
    read(RECEIVED),
    read(ACKED),
    read(REJECTED),
    read(ACK_LATENCY),
    readTenantSample(registry),
  ]);
  const total = (metric: typeof received) => metric.values.reduce((sum, value) => sum + value.value, 0);
  return {
    takenAt: performance.now(),
    received: total(received),
    acked: total(acked),
    rejected: new Map(rejected.values.map((value) => [String(value.labels.code), value.value])),
    ackLatency: latency.values
      .filter((value) => value.labels.le !== undefined) // the buckets; _sum and _count have no le
      .map((value) => ({ le: value.labels.le === "+Inf" ? Infinity : Number(value.labels.le), count: value.value })),
    tenants,
  };
}

/** The point for the interval between two samples. */
function pointBetween(
  before: MetricsSample,
  after: MetricsSample,
  now: Pick<DashboardPoint, "at" | "connections" | "inFlight" | "routeVersion">,
): DashboardPoint {
  const seconds = Math.max(after.takenAt - before.takenAt, 1) / 1000;
  const rate = (later: number, earlier: number) => round(Math.max(0, later - earlier) / seconds, 10);
  const latency = bucketDelta(after.ackLatency, before.ackLatency);
  const ms = (q: number) => {
    const seconds = histogramQuantile(q, latency);
    return seconds === undefined ? null : round(seconds * 1000, 100);
  };
  return {
    at: now.at,
    receivedPerSecond: rate(after.received, before.received),
    ackedPerSecond: rate(after.acked, before.acked),
    received: after.received,
    acked: after.acked,
    p50Ms: ms(0.5),
    p99Ms: ms(0.99),
    connections: now.connections,
    inFlight: now.inFlight,
    rejects: [...after.rejected]
      .map(([code, total]) => ({ code, total, perSecond: rate(total, before.rejected.get(code) ?? 0) }))
      .sort((a, b) => a.code.localeCompare(b.code)),
    routeVersion: now.routeVersion,
  };
}

/** A route pattern as it was written in the map. */
function matchText(pattern: RoutePattern): string {
  switch (pattern.kind) {
    case "all":
      return "*";
    case "exact":
      return pattern.type;
    case "prefix":
      return `${pattern.prefix}*`;
  }
}

function round(value: number, per: number): number {
  return Math.round(value * per) / per;
}
