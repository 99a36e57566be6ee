import { toJson } from "@bufbuild/protobuf";
import { RouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import type { AppliedRouteMap, RouteControl } from "./route_control.ts";

/** A uint64 for JSON: a number while it is exact, else its decimal string. */
export function jsonVersion(version: bigint): number | string {
  return version <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(version) : version.toString();
}

/** One applied version in the JSON the admin API answers with. */
export function appliedToJson(applied: AppliedRouteMap): Record<string, unknown> {
  return {
    version: jsonVersion(applied.version),
    keyId: applied.keyId,
    appliedAt: applied.appliedAt.toISOString(),
    source: applied.source,
    routes: applied.routes,
    applyMs: Math.round(applied.applyMs * 1000) / 1000,
  };
}

/** `GET /v1/routes`: the map in force in protobuf JSON form, who signed it, when, and the history. */
export function currentRoutesToJson(control: RouteControl): Record<string, unknown> {
  const current = control.current;
  return {
    ...appliedToJson(current),
    routeMap: toJson(RouteMapSchema, control.routeMap),
    history: control.history().map(appliedToJson),
    stats: control.stats,
  };
}
