/** The admin port: with VELTRIX_OPS_TOKEN set every read needs it; beyond loopback it is required. */
import assert from "node:assert/strict";
import { Code, type ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { ControlService } from "../src/gen/veltrix/control/v1/control_pb.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { TEST_JWT_SECRET } from "./support/tokens.ts";

const OPS_TOKEN = "ops-token-for-tests-0123456789";
const root = new URL("../", import.meta.url).pathname;

// Which requests need the token (reads, HEAD, read RPCs) and which do not (probes, updates) is
// tested in process: src/main/admin_app_test.ts and src/control/ops_token_interceptor_test.ts.
Deno.test("VELTRIX_OPS_TOKEN guards the reads of a real edge's admin port and gRPC port", async () => {
  const edge = await startEdgeProcess({ VELTRIX_OPS_TOKEN: OPS_TOKEN });
  const admin = `http://127.0.0.1:${edge.adminPort}`;
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${admin}${path}`, init);
    await response.body?.cancel();
    return response.status;
  };
  const bearer = { authorization: `Bearer ${OPS_TOKEN}` };
  // Our own HTTP/2 session, closed before the edge stops (see tests/control_rpc_test.ts).
  const http2 = new Http2SessionManager(`http://127.0.0.1:${edge.grpcPort}`);
  const grpc = createClient(
    ControlService,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${edge.grpcPort}`, sessionManager: http2 }),
  );
  try {
    assert.equal(await call("/v1/edge"), 401);
    assert.equal(await call("/v1/edge", { headers: bearer }), 200);
    assert.equal(await call("/healthz"), 200);
    const refused = await grpc.getRouteMap({}).catch((e) => e);
    assert.equal((refused as ConnectError).code, Code.Unauthenticated, String(refused));
    assert.equal((await grpc.getRouteMap({}, { headers: bearer })).routeMap?.version, 1n);
  } finally {
    http2.abort();
    await edge.stop();
  }
});

Deno.test("an edge whose admin port is bound beyond loopback without VELTRIX_OPS_TOKEN refuses to start", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${root}src/main/main.ts`],
    env: {
      VELTRIX_JWT_SECRET: TEST_JWT_SECRET,
      VELTRIX_ADMIN_HOST: "0.0.0.0",
      VELTRIX_PORT: "0",
      VELTRIX_ADMIN_PORT: "0",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /VELTRIX_OPS_TOKEN/);
});
