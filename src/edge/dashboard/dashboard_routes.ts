import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { bearerMatches } from "../../core/ops/bearer_token.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { DashboardFeed } from "./dashboard_feed.ts";
import { dashboardPage } from "./dashboard_page.ts";
import { errorResponse } from "../../core/errors/error_response.ts";

/** Messages a dashboard may have unwritten before it is dropped as too slow (a few seconds' worth). */
const MAX_UNWRITTEN = 30;
/** How long a browser waits before it reconnects a dropped stream. */
const RECONNECT_MS = 2_000;

/**
 * Mounts the ops dashboard: `GET /dashboard` (the page) and `GET /dashboard/events` (its SSE
 * stream, from `feed`). With an ops token both need it, as `Authorization: Bearer <token>` or as
 * `?token=<token>`, since a browser's EventSource cannot send headers. Mount it before the ops
 * token middleware, which knows only the header.
 */
export function mountDashboard(app: Hono, feed: DashboardFeed, opsToken: string | undefined): void {
  const allowed = (c: Context) =>
    opsToken === undefined ||
    bearerMatches(c.req.header("authorization"), opsToken) ||
    // The same constant-time comparison, for the query form.
    bearerMatches(`Bearer ${c.req.query("token") ?? ""}`, opsToken);
  const refuse = () =>
    errorResponse(
      new VeltrixError("UNAUTHORIZED", "the dashboard needs ?token=<VELTRIX_OPS_TOKEN> (or the bearer header)"),
    );

  app.get("/dashboard", (c) => {
    if (!allowed(c)) return refuse();
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    return c.html(dashboardPage(nonce), 200, {
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    });
  });

  app.get("/dashboard/events", (c) => {
    if (!allowed(c)) return refuse();
    c.header("x-accel-buffering", "no");
    return streamSSE(c, async (stream) => {
      const ended = Promise.withResolvers<void>();
      await stream.write(`retry: ${RECONNECT_MS}\n\n`);
      let unwritten = 0;
      const unsubscribe = feed.subscribe((message) => {
        if (unwritten >= MAX_UNWRITTEN) return ended.resolve();
        unwritten++;
        stream.writeSSE(message).then(() => unwritten--, () => ended.resolve());
      });
      // The browser went away (or the edge is stopping): stop feeding this stream.
      stream.onAbort(() => ended.resolve());
      if (stream.aborted) ended.resolve();
      try {
        await ended.promise;
      } finally {
        unsubscribe();
      }
    });
  });
}
