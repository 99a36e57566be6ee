/**
 * `POST /v1/routes` and `GET /v1/routes` in process, through Hono's `app.request()` and a real
 * RouteControl: what only this surface says. Every refusal code, with its status and exact body,
 * for the binary and the JSON forms, is in the shared cases (`route_update_surfaces_test.ts`).
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import {
  makeSigningKey,
  signedBytes,
  signedJson,
  signRouteMap,
  simpleMap,
} from "../core/updates/testing/route_signing.ts";
import { RouteControl, type RouteControlOptions } from "./route_control.ts";
import { mountRouteAdminRoutes, signedFromJson } from "./route_admin_routes.ts";

const MAX_BYTES = 4096;
const ops = await makeSigningKey("ops");
const keys = await TrustedKeys.import(parseTrustedKeys(ops.trustEntry));
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** An admin app with only the route endpoints, over a fresh RouteControl at the embedded map (version 1). */
function routesApp(options: Partial<RouteControlOptions> = {}): { app: Hono; control: RouteControl } {
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({ routes, keys, maxBytes: MAX_BYTES, logger: quiet, ...options });
  const app = new Hono();
  mountRouteAdminRoutes(app, control, MAX_BYTES);
  return { app, control };
}

async function post(app: Hono, body: BodyInit, contentType: string | undefined, headers: Record<string, string> = {}) {
  const response = await app.request("/v1/routes", {
    method: "POST",
    headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...headers },
    body,
  });
  return { status: response.status, body: await response.json() };
}

const protobuf = "application/x-protobuf";

Deno.test("POST /v1/routes answers 200 with version, routes, apply time and publication for a signed binary map", async () => {
  const { app, control } = routesApp({ feed: { publish: () => Promise.resolve() } });
  const answer = await post(app, signedBytes(await signRouteMap(ops, simpleMap(2n))), protobuf);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(Object.keys(answer.body), ["version", "routes", "applyMs", "published"]);
  assert.equal(answer.body.version, 2);
  assert.equal(answer.body.routes, 2);
  assert.equal(typeof answer.body.applyMs, "number");
  assert.equal(answer.body.published, true);
  assert.equal(control.current.version, 2n);
});

Deno.test("POST /v1/routes takes the binary form under each protobuf content type", async () => {
  const { app, control } = routesApp();
  let version = 1n;
  for (const type of ["application/x-protobuf", "application/protobuf", "application/octet-stream; charset=x"]) {
    version++;
    const answer = await post(app, signedBytes(await signRouteMap(ops, simpleMap(version))), type);
    assert.equal(answer.status, 200, type);
    assert.equal(answer.body.published, false, "nothing to publish to");
  }
  assert.equal(control.current.version, version);
});

Deno.test("POST /v1/routes answers 200 for the JSON form, with or without a content type", async () => {
  const { app, control } = routesApp();
  assert.equal((await post(app, signedJson(await signRouteMap(ops, simpleMap(2n))), "application/json")).status, 200);
  // A string body gets text/plain from fetch; bytes go without a content type.
  const bare = new TextEncoder().encode(signedJson(await signRouteMap(ops, simpleMap(3n))));
  assert.equal((await post(app, bare, undefined)).status, 200);
  assert.equal(control.current.version, 3n);
});

/** Expects a refusal with exactly `{error:{code,message}}` plus `extra`, and that the map did not change. */
function expectRefusal(
  answer: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  const { error, ...rest } = answer.body as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(error), ["code", "message"]);
  assert.equal(error.code, code);
  assert.ok(error.message.length > 0);
  assert.deepEqual(rest, extra);
}

Deno.test("POST /v1/routes answers 400 MALFORMED_ROUTE_UPDATE for JSON of the wrong shape, bad base64 or another content type", async () => {
  const { app, control } = routesApp();
  expectRefusal(await post(app, `{"routeMap":1}`, "application/json"), 400, "MALFORMED_ROUTE_UPDATE");
  const badBase64 = JSON.stringify({ routeMap: "%%%", keyId: "ops", signature: "AA==" });
  expectRefusal(await post(app, badBase64, "application/json"), 400, "MALFORMED_ROUTE_UPDATE");
  expectRefusal(await post(app, "x", "text/plain"), 400, "MALFORMED_ROUTE_UPDATE");
  assert.equal(control.current.version, 1n);
});

Deno.test("POST /v1/routes answers 413 ROUTE_UPDATE_TOO_LARGE by a declared content-length over the cap", async () => {
  const { app, control } = routesApp();
  const small = signedBytes(await signRouteMap(ops, simpleMap(2n)));
  expectRefusal(
    await post(app, small, protobuf, { "content-length": String(MAX_BYTES + 1) }),
    413,
    "ROUTE_UPDATE_TOO_LARGE",
  );
  assert.equal(control.current.version, 1n);
});

Deno.test("POST /v1/routes answers 422 INVALID_ROUTE_MAP with every problem as {path, message} beside the error", async () => {
  const { app } = routesApp();
  const invalid = await signRouteMap(ops, {
    version: 11n,
    routes: [
      { name: "dup", match: "a.*", targets: [{ topic: "bad topic!" }] },
      { name: "dup", match: "B*", targets: [] },
    ],
  });
  const answer = await post(app, signedBytes(invalid), protobuf);
  assert.equal(answer.status, 422);
  const problems = answer.body.problems as { path: string; message: string }[];
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    "routes[0].targets[0].topic",
    "routes[1].match",
    "routes[1].name",
    "routes[1].targets",
  ]);
  for (const problem of problems) assert.deepEqual(Object.keys(problem), ["path", "message"]);
  expectRefusal(answer, 422, "INVALID_ROUTE_MAP", { problems });
  assert.match(answer.body.error.message, /^route map is invalid: routes\[0\]\.targets\[0\]\.topic: /);
});

Deno.test("GET /v1/routes reports the map in force, its signer and the history", async () => {
  const { app } = routesApp();
  assert.equal((await post(app, signedBytes(await signRouteMap(ops, simpleMap(2n))), protobuf)).status, 200);
  const response = await app.request("/v1/routes");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.version, 2);
  assert.equal(body.keyId, "ops");
  assert.equal(body.source, "admin");
  assert.equal(body.routeMap.version, "2");
  assert.deepEqual(body.history.map((h: { version: number }) => h.version), [1, 2]);
});

Deno.test("GET /v1/routes lists the tenants' quotas in map order, then other's, null for no limit", async () => {
  const { app } = routesApp();
  const map = {
    version: 2n,
    routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }],
    tenants: [
      { name: "kart", eventsPerSecond: 500, maxConnections: 2000, bytesPerSecond: 0, topicPrefix: "kart." },
      { name: "chess", eventsPerSecond: 50 },
    ],
    otherTenants: { eventsPerSecond: 10 },
  };
  assert.equal((await post(app, signedBytes(await signRouteMap(ops, map)), protobuf)).status, 200);
  const body = await (await app.request("/v1/routes")).json();
  assert.deepEqual(body.tenants, [
    { name: "kart", eventsPerSecond: 500, maxConnections: 2000, bytesPerSecond: null, topicPrefix: "kart." },
    { name: "chess", eventsPerSecond: 50, maxConnections: null, bytesPerSecond: null, topicPrefix: "" },
    { name: "other", eventsPerSecond: 10, maxConnections: null, bytesPerSecond: null, topicPrefix: "" },
  ]);
});

Deno.test("signedFromJson() reads the JSON form and says what is wrong with a bad one", () => {
  const signed = signedFromJson(JSON.stringify({ routeMap: "AQI=", keyId: "k", signature: "Aw==" }));
  assert.deepEqual([...signed.routeMap], [1, 2]);
  assert.equal(signed.keyId, "k");
  assert.deepEqual([...signed.signature], [3]);
  assert.throws(() => signedFromJson("{"), /not JSON/);
  assert.throws(() => signedFromJson("null"), /must be/);
  assert.throws(() => signedFromJson(JSON.stringify({ routeMap: "AQI=", keyId: "k", signature: "!" })), /signature/);
});
