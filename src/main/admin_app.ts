import { Hono } from "hono";
import type { Logger } from "../core/ops/logger.ts";
import { DashboardFeed } from "../edge/dashboard/dashboard_feed.ts";
import { mountDashboard } from "../edge/dashboard/dashboard_routes.ts";
import type { EdgeMetrics } from "../edge/edge_metrics.ts";
import { errorResponse } from "../core/errors/error_response.ts";
import { opsTokenMiddleware } from "../edge/http/ops_token.ts";
import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { mountControlService } from "../control/control_service.ts";
import type { TenantQuotasJson } from "../core/admission/quota_share.ts";
import { mountRouteAdminRoutes } from "../control/route_admin_routes.ts";
import type { FleetStatus } from "../control/fleet_status.ts";
import { mountFleetRoutes } from "../control/fleet_routes.ts";
import { type DryRunLog, mountDryRunRoutes } from "../control/dry_run_routes.ts";
import type { TrafficSketch } from "../core/fleet/traffic_sketch.ts";
import type { RouteControl } from "../control/route_control.ts";
import { mountHealthRoutes } from "../edge/http/health_routes.ts";
import type { Readiness } from "../core/ops/readiness.ts";

/** What the admin app needs. */
export interface AdminAppOptions {
  readonly readiness: Readiness;
  readonly routes: LiveRouteTable;
  readonly control: RouteControl;
  readonly edgeId: string;
  readonly routeUpdateMaxBytes: number;
  /** Reports the events the edge holds for Kafka. */
  readonly inFlight: () => { events: number; batches: number };
  /**
   * When set, every read but health and readiness needs `Authorization: Bearer <opsToken>`; the
   * dashboard also takes it as `?token=`.
   */
  readonly opsToken: string | undefined;
  readonly connections: () => number;
  /** Served in Prometheus text format at `GET /metrics`, and charted live at `GET /dashboard`. */
  readonly metrics: EdgeMetrics;
  /** Where the dashboard feed reports that it could not read the metrics. */
  readonly logger?: Logger;
  /** Every edge's rollout status, for `GET /v1/fleet`; absent, the route is not served. */
  readonly fleet?: FleetStatus;
  /** The tenant quotas this edge enforces, for `GET /v1/routes`: scope, live edges, share, limits. */
  readonly tenantQuotas?: () => TenantQuotasJson;
  /** Recent traffic and the last dry run, for `POST /v1/routes:dry-run`; absent, the route is not served. */
  readonly dryRun?: { readonly traffic: TrafficSketch; readonly log: DryRunLog };
}

/**
 * The admin Hono app, served on loopback: health and readiness, route control over JSON
 * (`/v1/routes`) and Connect/gRPC-Web (`/veltrix.control.v1.ControlService/*`), what the edge
 * is routing by, and the live ops dashboard (`/dashboard`, with metrics; `/` redirects to it).
 */
export function createAdminApp(options: AdminAppOptions): Hono {
  const app = new Hono();
  mountHealthRoutes(app, options.readiness);
  const feed = new DashboardFeed({
    registry: options.metrics.registry,
    control: options.control,
    routes: options.routes,
    edgeId: options.edgeId,
    connections: options.connections,
    inFlightEvents: () => options.inFlight().events,
    logger: options.logger,
    ...(options.fleet ? { fleet: () => options.fleet!.view() } : {}),
    ...(options.dryRun ? { lastDryRun: () => options.dryRun!.log.last } : {}),
    ...(options.tenantQuotas ? { liveEdges: () => options.tenantQuotas!().liveEdges } : {}),
  });
  // Before the ops token middleware: the dashboard also takes the token as ?token= (EventSource sends no headers).
  mountDashboard(app, feed, options.opsToken);
  // The port's front door leads to the dashboard, passing on the token a browser was given.
  app.get("/", (c) => {
    const token = c.req.query("token");
    return c.redirect(token ? `/dashboard?token=${encodeURIComponent(token)}` : "/dashboard");
  });
  if (options.opsToken !== undefined) app.use("*", opsTokenMiddleware(options.opsToken));
  mountRouteAdminRoutes(app, options.control, options.routeUpdateMaxBytes, options.tenantQuotas);
  mountControlService(app, options.control);
  if (options.fleet) mountFleetRoutes(app, options.fleet);
  if (options.dryRun) mountDryRunRoutes(app, { routes: options.routes, ...options.dryRun });
  app.get(
    "/metrics",
    async (c) => c.body(await options.metrics.text(), 200, { "content-type": options.metrics.registry.contentType }),
  );
  app.get("/v1/edge", (c) => {
    const { table, applied } = options.routes.snapshot;
    return c.json({
      edgeId: options.edgeId,
      routeVersion: table.versionText,
      routes: table.routes.length,
      topics: table.topics,
      appliedAt: applied.appliedAt.toISOString(),
      routeUpdates: options.control.stats,
      inFlight: options.inFlight(),
      duplicates: options.metrics.duplicates,
      connections: options.connections(),
    });
  });
  app.onError((error, c) => {
    options.logger?.error("admin request failed", { path: c.req.path, error });
    return errorResponse(error);
  });
  return app;
}
