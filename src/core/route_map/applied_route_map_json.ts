import type { AppliedRouteMap } from "./live_route_table.ts";

/** A uint64 for JSON: a number while it is exact, else its decimal string. */
export function jsonVersion(version: bigint): number | string {
  return version <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(version) : version.toString();
}

/** One applied version in the JSON the admin API and the dashboard answer with. */
export function appliedToJson(applied: AppliedRouteMap): Record<string, unknown> {
  return {
    version: jsonVersion(applied.version),
    keyId: applied.keyId,
    appliedAt: applied.appliedAt.toISOString(),
    source: applied.source,
    routes: applied.routeCount,
    applyMs: Math.round(applied.applyMs * 1000) / 1000,
    ...(applied.cohort === undefined ? {} : { cohort: applied.cohort }),
  };
}
