/**
 * With the broker stopped, an edge acks nothing; once the broker is back, the events it was
 * holding are written and acked, and every one of them is in Kafka. Runs only against the local
 * dev broker, which this test may stop and start. Runs on each Kafka client the edge supports.
 */
import assert from "node:assert/strict";
import { kafkaDown, kafkaStatus, kafkaUp } from "../tools/kafka/kafka.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { KAFKA_CLIENTS } from "../src/kafka/kafka_clients.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers, usingLocalDevBroker } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

/** This test stops and restarts the broker, so it only runs on the dev broker this project started. */
const ownsBroker = usingLocalDevBroker() && (await kafkaStatus()).pid !== undefined;

/** How long the test watches for an ack that must not come while the broker is down. */
const SILENCE_MS = 3_000;

for (const kafkaClient of KAFKA_CLIENTS) {
  Deno.test({
    name:
      `[${kafkaClient}] with the broker stopped no ack arrives, and after it restarts every held event is acked and in Kafka`,
    ignore: !ownsBroker,
    async fn() {
      const since = Date.now() - 1000;
      const run = crypto.randomUUID().slice(0, 8);
      const edge = await startEdgeProcess({ VELTRIX_KAFKA_CLIENT: kafkaClient });
      const client = await IngestClient.connect(edge.ingestUrl, await playerToken(`outage-${run}`));
      let brokerDown = false;
      try {
        client.sendJson([{ id: `${run}-before`, type: "player.moved" }]);
        await client.waitForAcks([`${run}-before`]);

        await kafkaDown();
        brokerDown = true;
        const held = Array.from({ length: 20 }, (_, i) => ({ id: `${run}-held-${i}`, type: "treasure.collected" }));
        client.sendJson(held.slice(0, 10));
        client.sendBinary(held.slice(10));
        const silence = client.waitFor(() => client.acked.size > 1 || client.rejected.size > 0, SILENCE_MS);
        await assert.rejects(silence, /timed out/, "nothing may be acked or rejected while the broker is down");
        assert.deepEqual([...client.acked.keys()], [`${run}-before`]);

        await kafkaUp();
        brokerDown = false;
        await client.waitForAcks(held.map((e) => e.id), 60_000);
        assert.equal(client.rejected.size, 0);

        const ids = new Set(held.map((e) => e.id));
        for (const topic of ["game.treasure", "game.leaderboard"]) {
          const found = (await readTopic(testBrokers(), topic, since))
            .map((r) => r.headers["veltrix-event-id"]!)
            .filter((id) => ids.has(id));
          assert.deepEqual(new Set(found), ids, `every held event is in ${topic}`);
        }
      } finally {
        if (brokerDown) await kafkaUp();
        await client.close();
        await edge.stop();
      }
    },
  });
}
