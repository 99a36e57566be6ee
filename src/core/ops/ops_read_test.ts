import assert from "node:assert/strict";
import { isOpsRead, opsReadRefusal } from "./ops_read.ts";

const GET_ROUTE_MAP = "/veltrix.control.v1.ControlService/GetRouteMap";
const WATCH_ROUTE_MAP = "/veltrix.control.v1.ControlService/WatchRouteMap";
const UPDATE_ROUTE_MAP = "/veltrix.control.v1.ControlService/UpdateRouteMap";

Deno.test("isOpsRead() treats GET /metrics, /v1/routes, /v1/edge and / as reads", () => {
  for (const path of ["/metrics", "/v1/routes", "/v1/edge", "/", "/no/such/path"]) {
    assert.ok(isOpsRead("GET", path), path);
  }
});

Deno.test("isOpsRead() treats HEAD like GET, since Hono answers HEAD with the GET handler", () => {
  assert.ok(isOpsRead("HEAD", "/v1/routes"));
  assert.ok(!isOpsRead("HEAD", "/healthz"));
});

Deno.test("isOpsRead() leaves the health and readiness probes open", () => {
  assert.ok(!isOpsRead("GET", "/healthz"));
  assert.ok(!isOpsRead("GET", "/readyz"));
});

Deno.test("isOpsRead() does not count route updates as reads", () => {
  assert.ok(!isOpsRead("POST", "/v1/routes"));
  assert.ok(!isOpsRead("POST", UPDATE_ROUTE_MAP));
});

Deno.test("isOpsRead() treats GetRouteMap and WatchRouteMap as reads, by POST (Connect, gRPC) or GET", () => {
  for (const method of ["POST", "GET"]) {
    assert.ok(isOpsRead(method, GET_ROUTE_MAP), `${method} GetRouteMap`);
    assert.ok(isOpsRead(method, WATCH_ROUTE_MAP), `${method} WatchRouteMap`);
  }
});

Deno.test("isOpsRead() matches procedure paths exactly", () => {
  assert.ok(!isOpsRead("POST", "/veltrix.control.v1.ControlService/GetRouteMapX"));
  assert.ok(!isOpsRead("POST", "/other.Service/GetRouteMap"));
});

Deno.test("opsReadRefusal() refuses a read without the right bearer token with UNAUTHORIZED", () => {
  for (const authorization of [undefined, null, "", "Bearer wrong", "Basic b3Bz", "ops-token"]) {
    const refusal = opsReadRefusal("GET", "/v1/routes", authorization, "ops-token");
    assert.equal(refusal?.code, "UNAUTHORIZED", String(authorization));
    assert.match(refusal!.message, /Authorization: Bearer <VELTRIX_OPS_TOKEN>/);
  }
});

Deno.test("opsReadRefusal() lets through a read with the token, and anything that is not a read", () => {
  assert.equal(opsReadRefusal("GET", "/v1/routes", "Bearer ops-token", "ops-token"), undefined);
  assert.equal(opsReadRefusal("POST", GET_ROUTE_MAP, "bearer ops-token", "ops-token"), undefined);
  assert.equal(opsReadRefusal("POST", "/v1/routes", undefined, "ops-token"), undefined);
  assert.equal(opsReadRefusal("GET", "/healthz", undefined, "ops-token"), undefined);
});
