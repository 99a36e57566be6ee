import {
  type Tenancy,
  type TenantQuota,
  type TenantQuotaJson,
  type TenantQuotaScope,
  tenantQuotasToJson,
} from "../route_map/tenancy.ts";

/**
 * The part of a tenant's quota that one edge enforces. With the `edge` scope it is the whole
 * quota; with the `fleet` scope each limit is divided by the live edges this edge sees (itself
 * included, at least 1) and rounded up to a whole number: no limit falls to 0 however many edges
 * there are, and the fleet together allows at most one unit per edge more than the quota (n edges
 * each allowing ⌈Q/n⌉ < Q/n + 1). No limit (Infinity) stays no limit.
 *
 * Returns `quota` itself when nothing is divided, so a caller can compare by identity.
 *
 * @example
 * ```ts
 * import { quotaShare } from "./quota_share.ts";
 * const quota = { name: "kart", eventsPerSecond: 2000, maxConnections: 5, bytesPerSecond: Infinity, topicPrefix: "", scope: "fleet" as const };
 * quotaShare(quota, 3); // eventsPerSecond 667, maxConnections 2, bytesPerSecond Infinity
 * ```
 */
export function quotaShare(quota: TenantQuota, liveEdges: number): TenantQuota {
  const edges = edgesSharing(quota.scope, liveEdges);
  if (edges === 1) return quota;
  return Object.freeze({
    ...quota,
    eventsPerSecond: shareOf(quota.eventsPerSecond, edges),
    maxConnections: shareOf(quota.maxConnections, edges),
    bytesPerSecond: shareOf(quota.bytesPerSecond, edges),
  });
}

/** How many edges share each quota: the live edges (at least 1) with the `fleet` scope, else 1. */
export function edgesSharing(scope: TenantQuotaScope, liveEdges: number): number {
  return scope === "fleet" && Number.isFinite(liveEdges) && liveEdges > 1 ? Math.floor(liveEdges) : 1;
}

/** ⌈limit / edges⌉, Infinity kept. */
function shareOf(limit: number, edges: number): number {
  return Number.isFinite(limit) ? Math.ceil(limit / edges) : limit;
}

/** The quotas of `tenancy` (listed, then other) as this edge enforces them when it sees `liveEdges` live edges. */
export function sharedQuotas(
  tenancy: { readonly listed: readonly TenantQuota[]; readonly other: TenantQuota },
  liveEdges: number,
): { readonly listed: readonly TenantQuota[]; readonly other: TenantQuota } {
  return {
    listed: tenancy.listed.map((quota) => quotaShare(quota, liveEdges)),
    other: quotaShare(tenancy.other, liveEdges),
  };
}

/** What `GET /v1/routes` shows of the quotas this edge enforces, as `tenantQuotas`. */
export interface TenantQuotasJson {
  readonly scope: TenantQuotaScope;
  /** The live edges this edge sees, itself included. */
  readonly liveEdges: number;
  /** The part of each quota this edge enforces: 1 with the edge scope, 1 / live edges with the fleet scope. */
  readonly share: number;
  /** This edge's limits per tenant ("other" last), after the division; null is no limit. */
  readonly tenants: readonly TenantQuotaJson[];
}

/** The quotas `tenancy` gives this edge when it sees `liveEdges` live edges, as JSON. */
export function tenantQuotasJson(tenancy: Tenancy, liveEdges: number): TenantQuotasJson {
  const edges = Math.max(1, liveEdges);
  return {
    scope: tenancy.scope,
    liveEdges: edges,
    share: 1 / edgesSharing(tenancy.scope, edges),
    tenants: tenantQuotasToJson(sharedQuotas(tenancy, edges)),
  };
}
