import { fromBinary } from "@bufbuild/protobuf";
import type { Hono } from "hono";
import { SignedRouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMap } from "../core/route_map/compile_route_map.ts";
import { precompilePayloadSchemas } from "../core/route_map/compile_payload_schemas.ts";
import { SCHEMA_COMPILE_SLICE_MS, slicedPause } from "./sliced_pause.ts";
import { decodeRoutableMap } from "../core/route_map/decode_route_map.ts";
import { dryRun, type DryRunReport } from "../core/fleet/dry_run.ts";
import { errorResponse } from "../core/errors/error_response.ts";
import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { formatRouteMapProblems } from "../core/route_map/route_map_problem.ts";
import type { RoutableMap } from "../core/route_map/routable_map.ts";
import type { TrafficSketch } from "../core/fleet/traffic_sketch.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { parseAuthoredRouteMap } from "./authored_route_map.ts";
import { signedFromJson } from "./route_admin_routes.ts";

/** The path of the dry run: a custom method on the routes collection, as in AIP-136. */
export const DRY_RUN_PATH = "/v1/routes:dry-run";

/** The last dry run this edge answered, for the dashboard. */
export class DryRunLog {
  #last: (DryRunReport & { readonly at: string }) | undefined;
  get last(): (DryRunReport & { readonly at: string }) | undefined {
    return this.#last;
  }
  record(report: DryRunReport, at: Date): void {
    this.#last = { ...report, at: at.toISOString() };
  }
}

/**
 * Mounts `POST /v1/routes:dry-run`: takes a candidate map, signed or not (nothing is applied, so
 * no signature is checked): a binary SignedRouteMap, the JSON form of one, or a RouteMap in its
 * protobuf JSON form as ops author it. Answers 200 with the {@link DryRunReport} of the candidate
 * against the traffic this edge saw, 400 when the body is not a map, 422 listing every problem of
 * an invalid one.
 */
export function mountDryRunRoutes(
  app: Hono,
  deps: { readonly routes: LiveRouteTable; readonly traffic: TrafficSketch; readonly log: DryRunLog },
): void {
  app.post(DRY_RUN_PATH, async (c) => {
    let map: RoutableMap;
    try {
      map = candidateOf(new Uint8Array(await c.req.arrayBuffer()), c.req.header("content-type") ?? "");
    } catch (cause) {
      return errorResponse(new VeltrixError("MALFORMED_ROUTE_UPDATE", (cause as Error).message));
    }
    const current = deps.routes.table;
    // New schemas compile in time slices, as for an update, so that events keep flowing meanwhile.
    const pause = slicedPause(SCHEMA_COMPILE_SLICE_MS);
    const previous = await precompilePayloadSchemas(map, { previous: current.compiledSchemas }, pause);
    const compiled = compileRouteMap(map, { previous });
    if (!compiled.ok) {
      const message = `route map is invalid: ${formatRouteMapProblems(compiled.problems)}`;
      return errorResponse(new VeltrixError("INVALID_ROUTE_MAP", message), { problems: compiled.problems });
    }
    const now = new Date();
    const report = dryRun(current, compiled.table, deps.traffic.snapshot(now.getTime()));
    deps.log.record(report, now);
    return c.json(report);
  });
}

function candidateOf(body: Uint8Array, contentType: string): RoutableMap {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") {
    return decodeRoutableMap(fromBinary(SignedRouteMapSchema, body).routeMap);
  }
  const text = new TextDecoder().decode(body);
  const json = JSON.parse(text) as Record<string, unknown>;
  if (typeof json.signature === "string" && typeof json.routeMap === "string") {
    return decodeRoutableMap(signedFromJson(text).routeMap);
  }
  return parseAuthoredRouteMap(text);
}
