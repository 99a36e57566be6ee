/**
 * What a verified update makes of the routes in force: a canary map runs beside the stable map;
 * any other map becomes the stable map and ends the canary.
 *
 * @module
 */
import { canaryCohortOf, describeCohort } from "../core/route_map/canary_cohort.ts";
import type {
  AppliedRouteMap,
  CanarySnapshot,
  RouteMapOrigin,
  RouteSnapshot,
} from "../core/route_map/live_route_table.ts";
import type { VerifiedRouteUpdate } from "../core/updates/verify_route_update.ts";

/** The snapshot a verified update swaps in, and what to say about it. */
export interface NextRouteSnapshot {
  /** What history and watchers learn of the update. */
  readonly applied: AppliedRouteMap;
  /** The snapshot to swap in for `current`. */
  readonly snapshot: RouteSnapshot;
  /** The canary's cohort as operators write it (`10%`, `cohort=beta`); undefined for a stable map. */
  readonly cohort: string | undefined;
  /** The canary that a stable map ends; undefined when none ran or the update is a canary. */
  readonly endedCanary: CanarySnapshot | undefined;
}

/**
 * The snapshot that replaces `current` when the verified update `result` (signed as `signed`,
 * from `source`, verified `verifiedMs` after it arrived) is swapped in.
 */
export function nextRouteSnapshot(
  current: RouteSnapshot,
  result: VerifiedRouteUpdate,
  signed: Uint8Array,
  source: RouteMapOrigin,
  verifiedMs: number,
): NextRouteSnapshot {
  const cohort = canaryCohortOf(result.routeMap);
  if (cohort === undefined) {
    const applied = appliedRouteMap(result, source, verifiedMs, undefined);
    const snapshot = { table: result.table, applied, signed };
    return { applied, snapshot, cohort: undefined, endedCanary: current.canary };
  }
  const described = describeCohort(cohort);
  const applied = appliedRouteMap(result, source, verifiedMs, described);
  const snapshot = { ...current, canary: Object.freeze({ table: result.table, applied, signed, cohort }) };
  return { applied, snapshot, cohort: described, endedCanary: undefined };
}

/** What history and watchers learn of an update about to be swapped in, `verifiedMs` after it arrived. */
function appliedRouteMap(
  result: VerifiedRouteUpdate,
  source: RouteMapOrigin,
  verifiedMs: number,
  cohort: string | undefined,
): AppliedRouteMap {
  return Object.freeze({
    ...(cohort === undefined ? {} : { cohort }),
    version: result.routeMap.version,
    keyId: result.keyId,
    appliedAt: new Date(),
    source,
    routeCount: result.table.routes.length,
    applyMs: verifiedMs,
  });
}
