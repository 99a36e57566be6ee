import client from "prom-client";

/** What the quota-share gauges read when Prometheus scrapes. */
export interface QuotaShareReading {
  /** The live edges this edge sees, itself included. */
  readonly liveEdges: number;
  /** The part of each tenant quota this edge enforces: 1 per edge, 1 / live edges for the fleet. */
  readonly share: number;
}

/**
 * Registers `veltrix_fleet_live_edges` (the divisor of fleet-scoped tenant quotas) and
 * `veltrix_tenant_quota_share` (the part of each quota this edge enforces) on `registry`.
 * A share of 1 under the fleet scope means this edge sees no other live edge: with Kafka out of
 * reach every edge then allows the whole quota.
 */
export function observeQuotaShare(registry: client.Registry, read: () => QuotaShareReading): void {
  new client.Gauge({
    name: "veltrix_fleet_live_edges",
    help: "Live edges this edge sees in its fleet (itself included): fleet-scoped tenant quotas are divided by it.",
    registers: [registry],
    collect() {
      this.set(read().liveEdges);
    },
  });
  new client.Gauge({
    name: "veltrix_tenant_quota_share",
    help: "The part of each tenant quota this edge enforces: 1 when quotas hold per edge, 1/live edges for the fleet.",
    registers: [registry],
    collect() {
      this.set(read().share);
    },
  });
}
