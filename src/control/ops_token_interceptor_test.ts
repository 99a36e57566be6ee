/**
 * The plain-gRPC port's ops token rule, on a real h2c listener (port 0) in process: plain gRPC
 * needs HTTP/2 trailers, so it cannot go through `app.request()`.
 */
import assert from "node:assert/strict";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { ControlService } from "../gen/veltrix/control/v1/control_pb.ts";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import { makeSigningKey, signRouteMap, simpleMap } from "../core/updates/testing/route_signing.ts";
import { startGrpcServer } from "./grpc_server.ts";
import { RouteControl } from "./route_control.ts";

const OPS_TOKEN = "ops-token-for-tests-0123456789";
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

Deno.test("the gRPC port asks the ops token of GetRouteMap and WatchRouteMap, not of UpdateRouteMap", async () => {
  const ops = await makeSigningKey("ops");
  const control = new RouteControl({
    routes: new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap()))),
    keys: await TrustedKeys.import(parseTrustedKeys(ops.trustEntry)),
    maxBytes: 65536,
    logger: quiet,
  });
  const server = await startGrpcServer(control, "127.0.0.1", 0, OPS_TOKEN);
  const sessions = new Http2SessionManager(`http://127.0.0.1:${server.port}`);
  const client = createClient(
    ControlService,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}`, sessionManager: sessions }),
  );
  try {
    const refused = await client.getRouteMap({}).catch((e) => e);
    assert.ok(refused instanceof ConnectError, String(refused));
    assert.equal(refused.code, Code.Unauthenticated);
    assert.match(refused.rawMessage, /^UNAUTHORIZED: /);
    assert.equal(refused.metadata.get("veltrix-error-code"), "UNAUTHORIZED");

    const wrong = await client.getRouteMap({}, { headers: { authorization: "Bearer wrong" } }).catch((e) => e);
    assert.equal((wrong as ConnectError).code, Code.Unauthenticated);

    const watch = await client.watchRouteMap({})[Symbol.asyncIterator]().next().catch((e) => e);
    assert.equal((watch as ConnectError).code, Code.Unauthenticated);

    const granted = await client.getRouteMap({}, { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
    assert.equal(granted.routeMap?.version, 1n);

    const updated = await client.updateRouteMap({ signedRouteMap: await signRouteMap(ops, simpleMap(2n)) });
    assert.equal(updated.version, 2n);
    const replay = await client.updateRouteMap({ signedRouteMap: await signRouteMap(ops, simpleMap(2n)) })
      .catch((e) => e);
    assert.equal((replay as ConnectError).code, Code.FailedPrecondition);
    assert.equal((replay as ConnectError).metadata.get("veltrix-current-version"), "2");
  } finally {
    sessions.abort();
    await server.close();
  }
});
