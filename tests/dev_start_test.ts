/**
 * `deno task start` with `VELTRIX_PORT=0`: the WebSocket URL and the dashboard URL it prints name
 * the ports the edge bound, and the printed token and URL take an event.
 */
import assert from "node:assert/strict";
import { ownFleetTopics } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("deno task start with VELTRIX_PORT=0 prints the ports it bound, and its token and URL take an event", async () => {
  const state = await Deno.makeTempDir({ prefix: "veltrix-dev-start-" });
  const env = Deno.env.toObject();
  delete env.VELTRIX_JWT_SECRET;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "start"],
    cwd: root,
    clearEnv: true,
    env: {
      ...env,
      ...ownFleetTopics(),
      KAFKA_BROKERS: testBrokers(),
      VELTRIX_HOST: "127.0.0.1",
      VELTRIX_PORT: "0",
      VELTRIX_ADMIN_PORT: "0",
      VELTRIX_GRPC_PORT: "0",
      VELTRIX_STATE_DIR: state,
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const printed: string[] = [];
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (!printed.some((line) => line.startsWith("Live dashboard: "))) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`deno task start printed no dashboard URL:\n${printed.join("\n")}`);
      buffered += value;
      const complete = buffered.split("\n");
      buffered = complete.pop()!;
      printed.push(...complete);
    }
    lines.releaseLock();
    void child.stdout.cancel().catch(() => {});
    const text = printed.join("\n");
    const url = /^\s+(ws:\/\/127\.0\.0\.1:(\d+)\/v1\/ingest)\s/m.exec(text);
    const dashboard = /^Live dashboard: http:\/\/127\.0\.0\.1:(\d+)\/dashboard$/m.exec(text);
    const token = /^A token for player dev-player, valid 24 h:\n\s+(\S+)$/m.exec(text);
    assert.ok(url && dashboard && token, text);
    assert.notEqual(Number(url[2]), 0, "the bound client port, not the 0 asked for");
    assert.notEqual(Number(dashboard[1]), 0, "the bound admin port, not the 0 asked for");

    const page = await fetch(`http://127.0.0.1:${dashboard[1]}/dashboard`);
    await page.body?.cancel();
    assert.equal(page.status, 200, "the dashboard answers where it says");
    const client = await IngestClient.connect(url[1]!, token[1]!);
    try {
      client.sendJson([{ id: "dev-start-1", type: "treasure.collected", data: { chest: 7 } }]);
      await client.waitForAcks(["dev-start-1"], 60_000);
    } finally {
      await client.close();
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(state, { recursive: true });
  }
  assert.equal((await child.status).code, 0, "the edge stops cleanly");
});
