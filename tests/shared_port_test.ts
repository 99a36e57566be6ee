import assert from "node:assert/strict";
import { type EdgeProcess, freePort, startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";

async function connectionsOf(edge: EdgeProcess): Promise<number> {
  return (await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/edge`)).json()).connections;
}

Deno.test("edges started with VELTRIX_REUSE_PORT=true share one client port, and each acks what it receives", async () => {
  const port = freePort();
  const env = { VELTRIX_PORT: String(port), VELTRIX_REUSE_PORT: "true" };
  const edges = [await startEdgeProcess(env), await startEdgeProcess(env)];
  const clients: IngestClient[] = [];
  try {
    const run = crypto.randomUUID().slice(0, 8);
    for (let i = 0; i < 40; i++) {
      clients.push(
        await IngestClient.connect(`ws://127.0.0.1:${port}/v1/ingest`, await playerToken(`shared-${run}-${i}`)),
      );
    }
    const ids = clients.map((client, i) => {
      const id = `${run}-${i}`;
      client.sendJson([{ id, type: "player.moved", data: { x: i } }]);
      return id;
    });
    await Promise.all(clients.map((client, i) => client.waitForAcks([ids[i]!])));

    const counts = await Promise.all(edges.map(connectionsOf));
    assert.equal(counts[0]! + counts[1]!, 40);
    assert.ok(counts.every((n) => n > 0), `the kernel spread connections over both edges: ${counts}`);
  } finally {
    for (const client of clients) client.close();
    for (const edge of edges) assert.equal(await edge.stop(), 0);
  }
});

Deno.test("without VELTRIX_REUSE_PORT a second edge on a taken client port fails to start", async () => {
  const port = freePort();
  const first = await startEdgeProcess({ VELTRIX_PORT: String(port) });
  try {
    await assert.rejects(startEdgeProcess({ VELTRIX_PORT: String(port) }), /exited early/);
  } finally {
    await first.stop();
  }
});
