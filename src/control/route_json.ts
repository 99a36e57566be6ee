import { toJson } from "@bufbuild/protobuf";
import { RouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { appliedToJson } from "../core/route_map/applied_route_map_json.ts";
import type { RouteControl } from "./route_control.ts";

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
