/**
 * The control service over Connect, gRPC-Web and plain gRPC: typed clients and `buf curl` can read,
 * update and watch the route map, and refusals carry the matching RPC status codes.
 */
import assert from "node:assert/strict";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { ControlService } from "../src/gen/veltrix/control/v1/control_pb.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { makeSigningKey, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("ControlService over Connect, gRPC-Web and gRPC", async (t) => {
  const ops = await makeSigningKey("ops-rpc");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry });
  const admin = `http://127.0.0.1:${edge.adminPort}`;
  const grpc = `http://127.0.0.1:${edge.grpcPort}`;
  // Our own HTTP/2 session, closed before the edge stops: Deno's node:http2 client can abort the
  // whole process on an assertion when a server's GOAWAY meets a just-cancelled stream.
  const http2 = new Http2SessionManager(grpc);
  const transports: [string, Transport][] = [
    ["connect (admin port, HTTP/1.1)", createConnectTransport({ baseUrl: admin, httpVersion: "1.1" })],
    ["grpc-web (admin port, HTTP/1.1)", createGrpcWebTransport({ baseUrl: admin, httpVersion: "1.1" })],
    ["grpc (gRPC port, h2c)", createGrpcTransport({ baseUrl: grpc, sessionManager: http2 })],
  ];
  let version = 1n;
  try {
    for (const [name, transport] of transports) {
      await t.step(
        `${name}: UpdateRouteMap applies, GetRouteMap reports it, a replay is FailedPrecondition`,
        async () => {
          const client = createClient(ControlService, transport);
          version++;
          const signed = await signRouteMap(ops, simpleMap(version));
          const updated = await client.updateRouteMap({ signedRouteMap: signed });
          assert.equal(updated.version, version);
          assert.equal(updated.routes, 2);
          const current = await client.getRouteMap({});
          assert.equal(current.routeMap?.version, version);
          assert.equal(current.keyId, ops.id);
          assert.equal(current.source, "admin");
          const replay = await client.updateRouteMap({ signedRouteMap: signed }).catch((e) => e);
          assert.ok(replay instanceof ConnectError, String(replay));
          assert.equal(replay.code, Code.FailedPrecondition);
          assert.match(replay.message, /STALE_ROUTE_MAP/);
        },
      );
    }

    await t.step("a bad signature is Unauthenticated and an invalid map InvalidArgument", async () => {
      const client = createClient(ControlService, transports[0]![1]);
      const forged = await signRouteMap(await makeSigningKey(ops.id), simpleMap(99n));
      const unauthenticated = await client.updateRouteMap({ signedRouteMap: forged }).catch((e) => e);
      assert.equal((unauthenticated as ConnectError).code, Code.Unauthenticated);
      const invalid = await signRouteMap(ops, { version: 99n, routes: [{ name: "x", match: "x", targets: [] }] });
      const invalidArgument = await client.updateRouteMap({ signedRouteMap: invalid }).catch((e) => e);
      assert.equal((invalidArgument as ConnectError).code, Code.InvalidArgument);
      assert.match((invalidArgument as ConnectError).message, /routes\[0\]\.targets/);
    });

    await t.step("WatchRouteMap streams the version in force, then each applied version", async () => {
      for (const [name, transport] of [transports[0]!, transports[2]!]) {
        const client = createClient(ControlService, transport);
        const abort = new AbortController();
        const stream = client.watchRouteMap({}, { signal: abort.signal })[Symbol.asyncIterator]();
        const first = await stream.next();
        assert.equal(first.value?.version, version, name);
        version++;
        await client.updateRouteMap({ signedRouteMap: await signRouteMap(ops, simpleMap(version)) });
        const second = await stream.next();
        assert.equal(second.value?.version, version, name);
        assert.equal(second.value?.source, "admin");
        abort.abort();
        await stream.return?.().catch(() => {});
      }
    });

    await t.step("buf curl reads the map over Connect, gRPC-Web and gRPC", async () => {
      const calls: [string, string[]][] = [
        ["connect", ["--protocol", "connect", `${admin}/veltrix.control.v1.ControlService/GetRouteMap`]],
        ["grpcweb", ["--protocol", "grpcweb", `${admin}/veltrix.control.v1.ControlService/GetRouteMap`]],
        ["grpc", [
          "--protocol",
          "grpc",
          "--http2-prior-knowledge",
          `${grpc}/veltrix.control.v1.ControlService/GetRouteMap`,
        ]],
      ];
      for (const [name, args] of calls) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-all",
            "--lock=buf.deno.lock",
            "npm:@bufbuild/buf@1.75.0",
            "curl",
            "--schema",
            "proto",
            ...args,
          ],
          cwd: root,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout);
        assert.ok(out.success, `${name}: ${new TextDecoder().decode(out.stderr)}`);
        assert.equal(JSON.parse(text).routeMap.version, version.toString(), name);
      }
    });
  } finally {
    http2.abort();
    await edge.stop();
  }
});
