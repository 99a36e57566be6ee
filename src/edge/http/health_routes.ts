import type { Hono } from "hono";
import type { Readiness } from "../../core/ops/readiness.ts";

/** Mounts `GET /healthz` (200 while the process lives) and `GET /readyz` (200 only when ready; else 503 with the unmet checks and, where known, why). */
export function mountHealthRoutes(app: Hono, readiness: Readiness): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const checks = readiness.snapshot();
    if (readiness.ready) return c.json({ status: "ready", checks });
    const reasons = readiness.reasons();
    return c.json({ status: "not ready", checks, ...(Object.keys(reasons).length > 0 ? { reasons } : {}) }, 503);
  });
}
