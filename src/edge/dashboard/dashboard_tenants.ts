/**
 * The dashboard's Tenants section, server side: each tenant the stable map in force lists, then
 * "other", with its quota and what it used over the last interval (connections, events admitted
 * and refused over its quota per second, frame bytes per second) and its ack p99 over the last
 * 10 s, read from the edge's `veltrix_tenant_*` metrics as the rest of the feed reads its own. Rows come from the map's
 * tenants, never from the metrics' labels, so the section is bounded as the labels are: a tenant
 * a newer map no longer lists keeps its label in the metrics but leaves the section.
 *
 * @module
 */
import type { Registry } from "prom-client";
import { bucketDelta, type CumulativeBucket } from "../../core/ops/histogram_quantile.ts";
import { BucketWindow } from "../../core/ops/bucket_window.ts";
import { quantileEstimate } from "../../core/ops/quantile_estimate.ts";
import { type TenantQuota, type TenantQuotaJson, tenantQuotasToJson } from "../../core/route_map/tenancy.ts";

const EVENTS = "veltrix_tenant_events_total";
const BYTES = "veltrix_tenant_bytes_total";
const CONNECTIONS = "veltrix_tenant_connections";
/** Ack latency per tenant label; an edge without it shows no ack p99 per tenant. */
const ACK = "veltrix_tenant_ack_seconds";

/** One tenant's row in the dashboard: its quota (null is no limit) and its use over the last interval. */
export interface DashboardTenant {
  /** A tenant the map lists, or "other". */
  readonly name: string;
  readonly quota: TenantQuotaJson;
  readonly connections: number;
  readonly admittedPerSecond: number;
  /** Events refused over its quota (OVERLOADED), per second. */
  readonly refusedPerSecond: number;
  readonly bytesPerSecond: number;
  /** Ack latency p99 of its events acked in the last `ACK_WINDOW_MS`, or why there is none to show. */
  readonly ackP99: TenantAckP99;
  /** True when some of its events were refused over its quota in the interval: it is over quota now. */
  readonly overQuota: boolean;
}

/** How far back a tenant's ack p99 looks: 10 s of interval deltas, enough acks at low rates. */
export const ACK_WINDOW_MS = 10_000;
/** The fewest acks in the window a tenant's p99 is shown for; below it the dashboard says "n < 20". */
export const ACK_MIN_SAMPLES = 20;

/**
 * A tenant's ack p99 over the window, in ms: `estimate` (linearly interpolated within its
 * histogram bucket), `too-few` (fewer than `minimum` acks in the window; 0 also when the edge has
 * no per-tenant ack metric) or `above` (past the last bucket bound: more than `ms`).
 */
export type TenantAckP99 =
  | { readonly kind: "estimate"; readonly ms: number; readonly samples: number }
  | { readonly kind: "too-few"; readonly samples: number; readonly minimum: number }
  | { readonly kind: "above"; readonly ms: number; readonly samples: number };

/** Each tenant's ack-latency window: what `tenantRows` keeps from one interval to the next. */
export class TenantAckWindows {
  readonly #windows = new Map<string, BucketWindow>();

  /** Adds `delta`, the tenant's acks of the interval that ended at `at` (monotonic ms), and answers its p99. */
  p99(tenant: string, at: number, delta: readonly CumulativeBucket[]): TenantAckP99 {
    let window = this.#windows.get(tenant);
    if (window === undefined) this.#windows.set(tenant, window = new BucketWindow(ACK_WINDOW_MS));
    if (delta.length > 0) window.add(at, delta);
    const estimate = quantileEstimate(0.99, window.sum(at), ACK_MIN_SAMPLES);
    switch (estimate.kind) {
      case "estimate":
        return { kind: "estimate", ms: toMs(estimate.value), samples: estimate.samples };
      case "above":
        return { kind: "above", ms: toMs(estimate.bound), samples: estimate.samples };
      case "too-few":
        return estimate;
    }
  }

  /** Forgets the tenants not in `names` (a newer map no longer lists them). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const tenant of this.#windows.keys()) if (!names.has(tenant)) this.#windows.delete(tenant);
  }
}

function toMs(seconds: number): number {
  return Math.round(seconds * 1000 * 100) / 100;
}

/** One tenant label's counters and ack buckets at one moment. */
interface TenantCounts {
  admitted: number;
  overQuota: number;
  bytes: number;
  connections: number;
  ack: CumulativeBucket[];
}

/** Every tenant label's counts at one moment. */
export type TenantSample = ReadonlyMap<string, TenantCounts>;

/** Reads the `veltrix_tenant_*` metrics from `registry`, by tenant label. */
export async function readTenantSample(registry: Registry): Promise<TenantSample> {
  const read = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const [events, bytes, connections, ack] = await Promise.all([
    read(EVENTS),
    read(BYTES),
    read(CONNECTIONS),
    read(ACK),
  ]);
  const byTenant = new Map<string, TenantCounts>();
  const of = (labels: Partial<Record<string, string | number>>) => {
    const tenant = String(labels.tenant);
    let counts = byTenant.get(tenant);
    if (counts === undefined) {
      counts = { admitted: 0, overQuota: 0, bytes: 0, connections: 0, ack: [] };
      byTenant.set(tenant, counts);
    }
    return counts;
  };
  for (const { labels, value } of events) {
    if (labels.outcome === "admitted") of(labels).admitted = value;
    else if (labels.outcome === "over_quota") of(labels).overQuota = value;
  }
  for (const { labels, value } of bytes) of(labels).bytes = value;
  for (const { labels, value } of connections) of(labels).connections = value;
  for (const { labels, value } of ack) {
    if (labels.le === undefined || labels.tenant === undefined) continue; // _sum and _count have no le
    of(labels).ack.push({ le: labels.le === "+Inf" ? Infinity : Number(labels.le), count: value });
  }
  return byTenant;
}

/**
 * The rows of the tenants `tenancy` lists, then "other", over `seconds` between two samples, the
 * second taken at `at` (monotonic ms); each tenant's acks of the interval go into `ackWindows`.
 */
export function tenantRows(
  tenancy: { readonly listed: readonly TenantQuota[]; readonly other: TenantQuota },
  before: TenantSample,
  after: TenantSample,
  seconds: number,
  ackWindows: TenantAckWindows,
  at: number,
): DashboardTenant[] {
  const rate = (later: number, earlier: number) => Math.round(Math.max(0, later - earlier) / seconds * 10) / 10;
  const quotas = tenantQuotasToJson(tenancy);
  ackWindows.keepOnly(new Set(quotas.map((quota) => quota.name)));
  return quotas.map((quota) => {
    const now = after.get(quota.name);
    const then = before.get(quota.name);
    const refusedPerSecond = rate(now?.overQuota ?? 0, then?.overQuota ?? 0);
    const ack = now?.ack ?? [];
    const earlier = then?.ack ?? [];
    // A label first seen in this interval: all its observations are the interval's.
    const delta = earlier.length === ack.length ? bucketDelta(ack, earlier) : ack;
    return {
      name: quota.name,
      quota,
      connections: now?.connections ?? 0,
      admittedPerSecond: rate(now?.admitted ?? 0, then?.admitted ?? 0),
      refusedPerSecond,
      bytesPerSecond: rate(now?.bytes ?? 0, then?.bytes ?? 0),
      ackP99: ackWindows.p99(quota.name, at, delta),
      overQuota: refusedPerSecond > 0,
    };
  });
}
