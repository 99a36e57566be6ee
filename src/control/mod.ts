/**
 * The route control plane: {@link RouteControl}, the one pipeline every route update goes through
 * (size cap, signature check, decode, version check, compile, swap, then persist and publish),
 * the last known good map on disk ({@link RouteMapStore}), the fleet topic that shares applied
 * maps between edges ({@link RouteFleet}), the surfaces that take updates (admin HTTP routes,
 * Connect and gRPC-Web on the admin app, plain gRPC on its own port), the ops CLI
 * (`deno task routes`), and synthetic signed maps for benchmarks. Control may import `src/core/`,
 * `src/gen/`, Hono, Connect and (in `route_fleet.ts`, for now) kafkajs; it never imports the edge
 * or the composition root, which compose it. Other folders import it through this file.
 *
 * @module
 */

export { mountControlService, registerControlService } from "./control_service.ts";
export { type GrpcServer, startGrpcServer } from "./grpc_server.ts";
export { mountRouteAdminRoutes, signedFromJson } from "./route_admin_routes.ts";
export {
  type AppliedRouteMap,
  RouteControl,
  type RouteControlOptions,
  type RouteControlStats,
  type RouteSource,
  type UpdateOutcome,
} from "./route_control.ts";
export { DEFAULT_ROUTES_TOPIC, RouteFleet, ROUTES_RECORD_KEY } from "./route_fleet.ts";
export { appliedToJson, currentRoutesToJson, jsonVersion } from "./route_json.ts";
export { ROUTE_MAP_FILE, RouteMapStore, type StoredRouteMap } from "./route_map_store.ts";
export { runRoutesCli } from "./routes_cli.ts";
export { signRouteMapBytes, syntheticRouteMapBytes } from "./synthetic_route_maps.ts";
