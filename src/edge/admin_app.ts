import { Hono } from "hono";
import type { ActiveRouteTable } from "../control/active_route_table.ts";
import { mountHealthRoutes } from "./health_routes.ts";
import type { Readiness } from "./readiness.ts";

/** What the admin app needs. */
export interface AdminAppOptions {
  readonly readiness: Readiness;
  readonly routes: ActiveRouteTable;
  readonly edgeId: string;
}

/** The admin Hono app, served on loopback: health and readiness, and what the edge is routing by. */
export function createAdminApp(options: AdminAppOptions): Hono {
  const app = new Hono();
  mountHealthRoutes(app, options.readiness);
  app.get("/v1/edge", (c) => {
    const table = options.routes.current;
    return c.json({
      edgeId: options.edgeId,
      routeVersion: table.versionText,
      routes: table.routes.length,
      topics: table.topics,
      appliedAt: options.routes.appliedAt.toISOString(),
    });
  });
  return app;
}
