import assert from "node:assert/strict";
import { Hono } from "hono";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import type { Logger } from "../../core/ops/logger.ts";
import { TrustedKeys } from "../../core/updates/trusted_keys.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { RouteControl } from "../../control/route_control.ts";
import { DashboardFeed } from "./dashboard_feed.ts";
import { mountDashboard } from "./dashboard_routes.ts";
import { EdgeMetrics } from "../edge_metrics.ts";

const TOKEN = "dashboard-test-token-0123456789";
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Serves a dashboard over a fresh feed on a free port until `fn` is done. */
async function withDashboard(
  opsToken: string | undefined,
  fn: (base: string, feed: DashboardFeed) => Promise<void>,
): Promise<void> {
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({
    routes,
    keys: await TrustedKeys.import([]),
    maxBytes: 65536,
    logger: quiet,
  });
  const metrics = new EdgeMetrics();
  metrics.observe({ connections: () => 0, inFlightEvents: () => 0, routeMapVersion: () => 1 });
  const feed = new DashboardFeed({
    registry: metrics.registry,
    control,
    routes,
    edgeId: "edge-under-test",
    connections: () => 0,
    inFlightEvents: () => 0,
    intervalMs: 20,
  });
  const app = new Hono();
  mountDashboard(app, feed, opsToken);
  const abort = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen: () => {} }, app.fetch);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, feed);
  } finally {
    abort.abort();
    await server.finished;
  }
}

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
}

/** Polls `check` every 10 ms until it holds, failing after 5 s. */
async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("with an ops token, the dashboard and its stream need it as ?token= or as the bearer header", async () => {
  await withDashboard(TOKEN, async (base) => {
    for (const path of ["/dashboard", "/dashboard/events"]) {
      assert.equal(await status(`${base}${path}`), 401, path);
      assert.equal(await status(`${base}${path}?token=wrong-token-0123456789`), 401, path);
      assert.equal(await status(`${base}${path}?token=${TOKEN}x`), 401, path);
      assert.equal(await status(`${base}${path}?token=${TOKEN}`), 200, path);
      assert.equal(await status(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }), 200, path);
    }
    const refused = await fetch(`${base}/dashboard`);
    assert.equal((await refused.json()).error.code, "UNAUTHORIZED");
  });
});

Deno.test("GET /dashboard is one self-contained page whose inline script and style carry the CSP nonce", async () => {
  await withDashboard(undefined, async (base) => {
    const response = await fetch(`${base}/dashboard`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = csp.match(/script-src 'nonce-([^']+)'/)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    const html = await response.text();
    assert.ok(html.includes(`<script nonce="${nonce}">`));
    assert.ok(html.includes(`<style nonce="${nonce}">`));
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    assert.doesNotMatch(html, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    for (const id of ["events-in-rate", "events-acked-rate", "open-connections", "route-version", "latency-chart"]) {
      assert.ok(html.includes(`data-testid="${id}"`), id);
    }
  });
});

Deno.test("GET /dashboard/events streams the snapshot and routes, then points, and unsubscribes when the client goes", async () => {
  await withDashboard(undefined, async (base, feed) => {
    const response = await fetch(`${base}/dashboard/events`);
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: point")) text += (await reader.read()).value ?? "";
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(events.slice(0, 3), ["snapshot", "routes", "point"]);
    assert.match(text, /^retry: \d+$/m);
    assert.equal(feed.subscribers, 1);
    assert.equal(feed.running, true);
    await reader.cancel();
    await eventually("the feed lost its subscriber", () => feed.subscribers === 0);
    assert.equal(feed.running, false, "the timer stops with the last subscriber");
  });
});
