/**
 * The dashboard's Tenants section, server side: each tenant the stable map in force lists, then
 * "other", with its quota and what it used over the last interval (connections, events admitted
 * and refused over its quota per second, frame bytes per second, ack p99), read from the edge's
 * `veltrix_tenant_*` metrics as the rest of the feed reads its own. Rows come from the map's
 * tenants, never from the metrics' labels, so the section is bounded as the labels are: a tenant
 * a newer map no longer lists keeps its label in the metrics but leaves the section.
 *
 * @module
 */
import type { Registry } from "prom-client";
import { bucketDelta, type CumulativeBucket, histogramQuantile } from "../../core/ops/histogram_quantile.ts";
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
  /** Ack latency p99 of its events acked in the interval, in ms; null when none was (or the edge has no such metric). */
  readonly ackP99Ms: number | null;
  /** True when some of its events were refused over its quota in the interval: it is over quota now. */
  readonly overQuota: boolean;
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

/** The rows of the tenants `tenancy` lists, then "other", over `seconds` between two samples. */
export function tenantRows(
  tenancy: { readonly listed: readonly TenantQuota[]; readonly other: TenantQuota },
  before: TenantSample,
  after: TenantSample,
  seconds: number,
): DashboardTenant[] {
  const rate = (later: number, earlier: number) => Math.round(Math.max(0, later - earlier) / seconds * 10) / 10;
  return tenantQuotasToJson(tenancy).map((quota) => {
    const now = after.get(quota.name);
    const then = before.get(quota.name);
    const refusedPerSecond = rate(now?.overQuota ?? 0, then?.overQuota ?? 0);
    const ack = now?.ack ?? [];
    const earlier = then?.ack ?? [];
    // A label first seen in this interval: all its observations are the interval's.
    const p99 = histogramQuantile(0.99, earlier.length === ack.length ? bucketDelta(ack, earlier) : ack);
    return {
      name: quota.name,
      quota,
      connections: now?.connections ?? 0,
      admittedPerSecond: rate(now?.admitted ?? 0, then?.admitted ?? 0),
      refusedPerSecond,
      bytesPerSecond: rate(now?.bytes ?? 0, then?.bytes ?? 0),
      ackP99Ms: p99 === undefined ? null : Math.round(p99 * 1000 * 100) / 100,
      overQuota: refusedPerSecond > 0,
    };
  });
}
