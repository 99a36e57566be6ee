/**
 * The drain delay: on SIGTERM an edge reports not ready at once, so that a load balancer's health
 * check takes it out of rotation, yet serves its sockets for `VELTRIX_DRAIN_DELAY_MS` before it
 * drains and closes them with 1001.
 */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";

const DRAIN_DELAY_MS = 1_500;

async function readyStatus(adminPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
  await response.body?.cancel();
  return response.status;
}

Deno.test("after SIGTERM /readyz answers 503 at once while events are still acked until the drain delay ends", async () => {
  const edge = await startEdgeProcess({ VELTRIX_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) });
  const run = crypto.randomUUID().slice(0, 8);
  const token = await playerToken(`drain-${run}`);
  const client = await IngestClient.connect(edge.ingestUrl, token);
  try {
    let socketClosed = false;
    const closed = new Promise<number>((resolve) => {
      const socket = new WebSocket(`${edge.ingestUrl}?token=${encodeURIComponent(token)}`);
      socket.onclose = () => {
        socketClosed = true;
        resolve(performance.now());
      };
    });
    client.sendJson([{ id: `${run}-before`, type: "player.moved" }]);
    await client.waitForAcks([`${run}-before`]);
    assert.equal(await readyStatus(edge.adminPort), 200);

    const signalled = performance.now();
    Deno.kill(edge.pid, "SIGTERM");
    while (await readyStatus(edge.adminPort) !== 503) {
      if (performance.now() - signalled > 30_000) throw new Error("/readyz never answered 503 after SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(socketClosed, false, "readiness turned 503 before the edge closed its sockets");
    client.sendJson([{ id: `${run}-during`, type: "player.moved" }]);
    await client.waitForAcks([`${run}-during`], DRAIN_DELAY_MS);
    assert.equal(client.rejected.size, 0, "nothing is refused while the edge drains");

    const closedAt = await closed;
    assert.ok(closedAt - signalled >= DRAIN_DELAY_MS - 50, `sockets closed ${closedAt - signalled} ms after SIGTERM`);
    assert.equal(await edge.exited, 0);
    assert.ok(edge.logs.some((l) => l.msg === "draining: out of rotation before closing sockets"));
  } finally {
    await client.close();
    await edge.stop();
  }
});
