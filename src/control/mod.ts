/**
 * The route control plane: {@link RouteControl}, the one pipeline every route update goes through
 * (size cap, signature check, decode, version check, compile, swap, then persist and publish),
 * the last known good map on disk ({@link RouteMapStore}), the surfaces that take updates (admin
 * HTTP routes, Connect and gRPC-Web on the admin app, plain gRPC on its own port), the control
 * plane's assembly ({@link startControl}), the ops CLI (`deno task routes`), and synthetic signed
 * maps for benchmarks. It reaches Kafka only through core's ports (`TopicProvisioner`,
 * `RouteMapFeed`). Control may import `src/core/`, `src/gen/`, Hono and Connect; it never imports
 * the edge, Kafka or the composition root, which compose it. This file is the folder's API for code outside `src/`
 * (tools, benches, examples, applications), which imports it and no other file of the folder;
 * folders inside `src/` import the files they need directly, along the arrows that
 * `tests/architecture_test.ts` checks.
 *
 * @module
 */

export { parseAuthoredRouteMap } from "./authored_route_map.ts";
export { mountControlService, registerControlService } from "./control_service.ts";
export { type GrpcServer, startGrpcServer } from "./grpc_server.ts";
export { mountRouteAdminRoutes, signedFromJson } from "./route_admin_routes.ts";
export { RouteControl, type RouteControlOptions, type RouteControlStats } from "./route_control.ts";
export type { RefusedUpdate, UpdateOutcome } from "./route_update_outcome.ts";
export { currentRoutesToJson } from "./route_json.ts";
export { ROUTE_MAP_FILE, RouteMapStore, type StoredRouteMap } from "./route_map_store.ts";
export { type RoutesCommand, runRoutesCli } from "./cli/routes_cli.ts";
export {
  type ControlDependencies,
  type ControlPlane,
  type ControlSettings,
  startControl,
  TABLE_LOADED,
} from "./start_control.ts";
export { signRouteMapBytes, syntheticRouteMapBytes } from "./synthetic_route_maps.ts";
