/** The admin port: with VELTRIX_OPS_TOKEN set every read needs it; beyond loopback it is required. */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { TEST_JWT_SECRET } from "./support/tokens.ts";

const OPS_TOKEN = "ops-token-for-tests-0123456789";
const root = new URL("../", import.meta.url).pathname;

Deno.test("with VELTRIX_OPS_TOKEN, admin reads need it while health, readiness and signed updates do not", async () => {
  const edge = await startEdgeProcess({ VELTRIX_OPS_TOKEN: OPS_TOKEN });
  const admin = `http://127.0.0.1:${edge.adminPort}`;
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${admin}${path}`, init);
    await response.body?.cancel();
    return response.status;
  };
  const bearer = { authorization: `Bearer ${OPS_TOKEN}` };
  try {
    assert.equal(await call("/v1/routes"), 401);
    assert.equal(await call("/v1/routes", { headers: { authorization: "Bearer wrong-token-0123456789" } }), 401);
    assert.equal(await call("/v1/routes", { headers: bearer }), 200);
    assert.equal(await call("/v1/edge"), 401);
    assert.equal(await call("/v1/edge", { headers: bearer }), 200);
    assert.equal(await call("/healthz"), 200);
    assert.equal(await call("/readyz"), 200);
    const rpc = { method: "POST", body: "{}", headers: { "content-type": "application/json" } };
    assert.equal(await call("/veltrix.control.v1.ControlService/GetRouteMap", rpc), 401);
    assert.equal(
      await call("/veltrix.control.v1.ControlService/GetRouteMap", { ...rpc, headers: { ...rpc.headers, ...bearer } }),
      200,
    );
    // Updates are authenticated by their signatures: a body that is not one gets 400, not 401.
    assert.equal(
      await call("/v1/routes", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
      400,
    );
  } finally {
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
