/**
 * Edges behind a real HAProxy (the `deno task fleet` configuration) on the dev broker: the
 * balancer spreads players over the edges through one client port, and an edge that gets SIGTERM
 * leaves rotation (its `/readyz` answers 503) while it still serves its sockets, so new players
 * land on the other edge before it closes them.
 */
import assert from "node:assert/strict";
import { startTestFleet } from "./support/edge_fleet.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { waitForKafka } from "./support/kafka_ready.ts";
import { playerToken } from "./support/tokens.ts";

const opened = (logs: Record<string, unknown>[]) => logs.filter((l) => l.msg === "connection opened").length;

Deno.test("behind HAProxy a SIGTERMed edge leaves rotation before it closes its sockets, and new players land on the other edge", async () => {
  await waitForKafka();
  const fleet = await startTestFleet({ brokers: testBrokers(), count: 2, env: { VELTRIX_LOG_RATE_LIMIT: "1000" } });
  const run = crypto.randomUUID().slice(0, 8);
  const clients: IngestClient[] = [];
  try {
    // Players spread over both edges through the one client port.
    for (let i = 0; i < 4; i++) {
      clients.push(await IngestClient.connect(fleet.clientUrl, await playerToken(`lb-${run}-${i}`)));
    }
    assert.ok(fleet.edges.every((edge) => opened(edge.logs) >= 1), "the balancer used both edges");

    const [leaving, staying] = fleet.edges as [typeof fleet.edges[0], typeof fleet.edges[0]];
    const signalled = performance.now();
    Deno.kill(leaving.pid, "SIGTERM");
    await fleet.balancer.waitFor(["edge-1"], "DOWN");
    console.log(`out of rotation ${Math.round(performance.now() - signalled)} ms after SIGTERM`);
    assert.ok(!leaving.logs.some((l) => l.msg === "connection closed"), "out of rotation before it closed a socket");

    // While the leaving edge still serves its sockets, new players all land on the other edge.
    const before = { leaving: opened(leaving.logs), staying: opened(staying.logs) };
    for (let i = 0; i < 4; i++) {
      const client = await IngestClient.connect(fleet.clientUrl, await playerToken(`lb-${run}-new-${i}`));
      clients.push(client);
      client.sendJson([{ id: `${run}-new-${i}`, type: "player.moved" }]);
      await client.waitForAcks([`${run}-new-${i}`]);
    }
    assert.equal(opened(leaving.logs), before.leaving, "no new player reached the draining edge");
    assert.equal(opened(staying.logs), before.staying + 4);
    assert.equal(await leaving.exited, 0, "the drained edge exits cleanly");
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await fleet.stop();
  }
});
