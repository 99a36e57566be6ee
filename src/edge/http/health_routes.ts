import type { Hono } from "hono";
import type { Readiness } from "../../core/ops/readiness.ts";

/** Mounts `GET /healthz` (200 while the process lives) and `GET /readyz` (200 only when ready). */
export function mountHealthRoutes(app: Hono, readiness: Readiness): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const checks = readiness.snapshot();
    return readiness.ready ? c.json({ status: "ready", checks }) : c.json({ status: "not ready", checks }, 503);
  });
}
