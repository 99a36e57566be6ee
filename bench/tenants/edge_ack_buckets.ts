/**
 * The edge's own view of a tenant's ack latency: the cumulative buckets of
 * `veltrix_tenant_ack_seconds{tenant}` (a frame's arrival at the edge to its event's ack) in the
 * edge's `/metrics` text, so that a round's edge-side p99 can be read from two scrapes. It is
 * coarse (the histogram's buckets) but free of the clients' CPU: a client that is descheduled
 * delays what it measures, not what the edge measures.
 *
 * @module
 */
import { bucketDelta, type CumulativeBucket, histogramQuantile } from "../../src/core/mod.ts";

/** `tenant`'s buckets of `veltrix_tenant_ack_seconds` in Prometheus text, sorted by `le`; empty when absent. */
export function tenantAckBuckets(metricsText: string, tenant: string): CumulativeBucket[] {
  const buckets: CumulativeBucket[] = [];
  for (const match of metricsText.matchAll(/^veltrix_tenant_ack_seconds_bucket\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.tenant !== tenant || labels.le === undefined) continue;
    buckets.push({ le: labels.le === "+Inf" ? Infinity : Number(labels.le), count: Number(match[2]) });
  }
  return buckets.sort((a, b) => a.le - b.le);
}

/** The p99 in ms of what was observed between two bucket snapshots; null without observations or buckets. */
export function p99BetweenMs(earlier: readonly CumulativeBucket[], later: readonly CumulativeBucket[]): number | null {
  if (later.length === 0) return null;
  const seconds = histogramQuantile(0.99, earlier.length === later.length ? bucketDelta(later, earlier) : later);
  return seconds === undefined ? null : Math.round(seconds * 1e6) / 1e3;
}
