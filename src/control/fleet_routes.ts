import type { Hono } from "hono";
import type { EdgeStatus } from "../core/fleet/edge_status.ts";
import type { FleetStatus } from "./fleet_status.ts";

/** `GET /v1/fleet`: every edge this one has heard from, live or gone (by heartbeat age), itself included. */
export function mountFleetRoutes(app: Hono, fleet: FleetStatus): void {
  app.get("/v1/fleet", (c) => {
    const { live, gone } = fleet.view();
    const now = Date.now();
    const withAge = (status: EdgeStatus) => ({ ...status, heartbeatAgeMs: now - Date.parse(status.heartbeatAt) });
    return c.json({ staleMs: fleet.staleMs, live: live.map(withAge), gone: gone.map(withAge) });
  });
}
