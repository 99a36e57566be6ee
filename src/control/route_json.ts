import { toJson } from "@bufbuild/protobuf";
import { RouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { appliedToJson } from "../core/route_map/applied_route_map_json.ts";
import type { RouteControl } from "./route_control.ts";
import { describeCohort } from "../core/route_map/canary_cohort.ts";
import { resolveTenants, tenantQuotasToJson } from "../core/route_map/tenancy.ts";

/**
 * `GET /v1/routes`: the stable map in force in protobuf JSON form, who signed it, when, the canary
 * beside it (its map, cohort and when it was applied), the tenants' quotas (the stable map's: listed tenants,
 * then "other"; null is no limit), per-version counts, and the history.
 */
export function currentRoutesToJson(control: RouteControl): Record<string, unknown> {
  const current = control.current;
  const canary = control.canary;
  return {
    ...appliedToJson(current),
    routeMap: toJson(RouteMapSchema, control.routeMap),
    canary: canary === undefined ? null : {
      ...appliedToJson(canary.applied),
      cohort: describeCohort(canary.cohort),
      routeMap: toJson(RouteMapSchema, control.canaryRouteMap!),
    },
    tenants: tenantQuotasToJson(resolveTenants(control.routeMap, [])),
    counts: control.versionCounts(),
    history: control.history().map(appliedToJson),
    stats: control.stats,
  };
}
