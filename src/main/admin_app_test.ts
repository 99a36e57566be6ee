/**
 * The admin app in process, through Hono's `app.request()`: which requests need the ops token, and
 * the front door's redirect to the dashboard. tests/admin_ops_token_test.ts keeps a real edge's
 * wiring of VELTRIX_OPS_TOKEN.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import { RouteControl } from "../control/route_control.ts";
import { EdgeMetrics } from "../edge/edge_metrics.ts";
import { Readiness } from "../core/ops/readiness.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../core/updates/testing/route_signing.ts";
import { createAdminApp } from "./admin_app.ts";

const OPS_TOKEN = "ops-token-for-tests-0123456789";
const BEARER = { authorization: `Bearer ${OPS_TOKEN}` };
const GET_ROUTE_MAP = "/veltrix.control.v1.ControlService/GetRouteMap";
const WATCH_ROUTE_MAP = "/veltrix.control.v1.ControlService/WatchRouteMap";
const UPDATE_ROUTE_MAP = "/veltrix.control.v1.ControlService/UpdateRouteMap";
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ops = await makeSigningKey("ops");

/** An admin app over a ready edge at the embedded map. */
async function adminApp(opsToken: string | undefined): Promise<Hono> {
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({
    routes,
    keys: await TrustedKeys.import(parseTrustedKeys(ops.trustEntry)),
    maxBytes: 65536,
    logger: quiet,
  });
  const readiness = new Readiness(["kafka"]);
  readiness.set("kafka", true);
  return createAdminApp({
    readiness,
    routes,
    control,
    edgeId: "edge-test",
    routeUpdateMaxBytes: 65536,
    inFlight: () => ({ events: 0, batches: 0 }),
    opsToken,
    connections: () => 0,
    metrics: new EdgeMetrics(),
    logger: quiet,
  });
}

/** The status `app` answers `path` with (the body is read and dropped). */
async function status(app: Hono, path: string, init: RequestInit = {}): Promise<number> {
  const response = await app.request(path, init);
  await response.body?.cancel();
  return response.status;
}

/** A Connect unary (or server-streaming) call with a JSON body. */
function rpc(path: string, headers: Record<string, string> = {}, body = "{}"): [string, RequestInit] {
  const streaming = path === WATCH_ROUTE_MAP;
  const contentType = streaming ? "application/connect+json" : "application/json";
  const payload = streaming ? envelope(body) : body;
  return [path, { method: "POST", headers: { "content-type": contentType, ...headers }, body: payload }];
}

/** One Connect streaming envelope around `json`. */
function envelope(json: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(json);
  const out = new Uint8Array(5 + bytes.length);
  new DataView(out.buffer).setUint32(1, bytes.length);
  out.set(bytes, 5);
  return out;
}

Deno.test("createAdminApp() with an ops token refuses reads without it with 401 UNAUTHORIZED", async () => {
  const app = await adminApp(OPS_TOKEN);
  for (const path of ["/v1/routes", "/v1/edge", "/metrics"]) {
    const response = await app.request(path);
    assert.equal(response.status, 401, path);
    const body = await response.json();
    assert.equal(body.error.code, "UNAUTHORIZED");
    assert.match(body.error.message, /Authorization: Bearer <VELTRIX_OPS_TOKEN>/);
    assert.equal(await status(app, path, { headers: { authorization: "Bearer wrong-token-0123456789" } }), 401, path);
  }
});

Deno.test("createAdminApp() with an ops token serves reads that carry it", async () => {
  const app = await adminApp(OPS_TOKEN);
  for (const path of ["/v1/routes", "/v1/edge", "/metrics"]) {
    assert.equal(await status(app, path, { headers: BEARER }), 200, path);
  }
});

Deno.test("createAdminApp() with an ops token refuses HEAD reads without it too", async () => {
  const app = await adminApp(OPS_TOKEN);
  assert.equal(await status(app, "/v1/routes", { method: "HEAD" }), 401);
  assert.equal(await status(app, "/v1/routes", { method: "HEAD", headers: BEARER }), 200);
});

Deno.test("createAdminApp() with an ops token leaves /healthz and /readyz open", async () => {
  const app = await adminApp(OPS_TOKEN);
  assert.equal(await status(app, "/healthz"), 200);
  assert.equal(await status(app, "/readyz"), 200);
});

Deno.test("createAdminApp() with an ops token does not ask it of route updates: their signatures authenticate them", async () => {
  const app = await adminApp(OPS_TOKEN);
  const headers = { "content-type": "application/json" };
  assert.equal(await status(app, "/v1/routes", { method: "POST", body: "{}", headers }), 400);
  const signed = signedBytes(await signRouteMap(ops, simpleMap(2n)));
  const applied = await app.request("/v1/routes", {
    method: "POST",
    body: signed,
    headers: { "content-type": "application/x-protobuf" },
  });
  assert.equal(applied.status, 200, await applied.text());
  const [path, init] = rpc(UPDATE_ROUTE_MAP);
  // An empty update is refused for what it is (invalid_argument), not for a missing token.
  const update = await app.request(path, init);
  assert.equal(update.status, 400);
  assert.equal((await update.json()).code, "invalid_argument");
});

Deno.test("createAdminApp() with an ops token refuses the read-only RPCs without it", async () => {
  const app = await adminApp(OPS_TOKEN);
  for (const path of [GET_ROUTE_MAP, WATCH_ROUTE_MAP]) {
    const response = await app.request(...rpc(path));
    assert.equal(response.status, 401, path);
    assert.equal((await response.json()).error.code, "UNAUTHORIZED");
  }
  const granted = await app.request(...rpc(GET_ROUTE_MAP, BEARER));
  assert.equal(granted.status, 200);
  assert.equal((await granted.json()).routeMap.version, "1");
});

Deno.test("createAdminApp() without an ops token serves every read", async () => {
  const app = await adminApp(undefined);
  for (const path of ["/v1/routes", "/v1/edge", "/metrics", "/healthz", "/readyz"]) {
    assert.equal(await status(app, path), 200, path);
  }
  assert.equal(await status(app, ...rpc(GET_ROUTE_MAP)), 200);
});

Deno.test("createAdminApp() redirects / to the dashboard, passing on ?token=", async () => {
  for (const token of [OPS_TOKEN, undefined]) {
    const app = await adminApp(token);
    const bare = await app.request("/");
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get("location"), "/dashboard");
    const withToken = await app.request("/?token=a%20b&x=1");
    assert.equal(withToken.status, 302);
    assert.equal(withToken.headers.get("location"), "/dashboard?token=a%20b");
  }
});

Deno.test("createAdminApp() leads from / to a dashboard that takes the token it passed on", async () => {
  const app = await adminApp(OPS_TOKEN);
  const location = (await app.request(`/?token=${OPS_TOKEN}`)).headers.get("location")!;
  assert.equal(await status(app, location), 200);
  assert.equal(await status(app, "/dashboard"), 401);
});
