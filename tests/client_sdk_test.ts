/**
 * End to end on the real broker: events sent through the game-client SDK (`src/client/`, with npm
 * `ws` as its WebSocket) to an edge process all resolve, and an independent consumer (kcat) finds
 * each id in exactly the topics the default map names.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { VeltrixClient, VeltrixClientError } from "../src/client/mod.ts";
import { type ReadRecord, readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

const EXPECTED: Record<string, string[]> = {
  "player.moved": ["game.player-activity"],
  "treasure.collected": ["game.treasure", "game.leaderboard"],
};
const TOPICS = ["game.player-activity", "game.treasure", "game.leaderboard"];

/** How many times each event id of `player` appears in each topic since `sinceMs`. */
async function countsByTopic(player: string, sinceMs: number): Promise<Map<string, Map<string, number>>> {
  const counts = new Map<string, Map<string, number>>();
  for (const topic of TOPICS) {
    const records: ReadRecord[] = await readTopic(testBrokers(), topic, sinceMs);
    const perId = new Map<string, number>();
    for (const record of records) {
      if (record.key !== player) continue;
      const id = record.headers["veltrix-event-id"]!;
      perId.set(id, (perId.get(id) ?? 0) + 1);
    }
    counts.set(topic, perId);
  }
  return counts;
}

Deno.test("500 events sent through the SDK all resolve, and each id is in exactly the topics its type routes to", async () => {
  const since = Date.now() - 1000;
  const player = `sdk-${crypto.randomUUID().slice(0, 8)}`;
  const edge = await startEdgeProcess();
  let tokenCalls = 0;
  const client = new VeltrixClient({
    url: edge.ingestUrl,
    token: () => {
      tokenCalls++;
      return playerToken(player);
    },
    WebSocket,
  });
  try {
    const types = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? "treasure.collected" : "player.moved"));
    const results = await Promise.all(types.map((type, seq) => client.send(type, { seq, chest: seq % 7 })));
    const sent = new Map(results.map(({ id }, i) => [id, types[i]!]));
    assert.equal(sent.size, 500, "every event has its own id");

    await assert.rejects(client.send("Bad Type", { seq: -1 }), (error: unknown) => {
      assert.ok(error instanceof VeltrixClientError);
      assert.equal(error.code, "INVALID_EVENT");
      assert.equal(error.retryable, false);
      assert.ok(error.id);
      return true;
    });

    assert.equal(client.state, "open");
    assert.equal(client.outboxDepth, 0);
    assert.equal(tokenCalls, 1);
    const { sent: sentCount, acked, rejected, reconnects } = client.stats;
    assert.deepEqual({ sentCount, acked, rejected, reconnects }, {
      sentCount: 501,
      acked: 500,
      rejected: 1,
      reconnects: 0,
    });

    const counts = await countsByTopic(player, since);
    for (const [id, type] of sent) {
      for (const topic of TOPICS) {
        const expected = EXPECTED[type]!.includes(topic) ? 1 : 0;
        assert.equal(counts.get(topic)!.get(id) ?? 0, expected, `${id} (${type}) in ${topic}`);
      }
    }
    for (const topic of TOPICS) {
      for (const id of counts.get(topic)!.keys()) {
        assert.ok(sent.has(id), `${topic} holds only ids the SDK sent: ${id}`);
      }
    }
  } finally {
    const { unacked } = await client.close();
    assert.deepEqual(unacked, []);
    assert.equal(client.state, "closed");
    assert.equal(await edge.stop(), 0);
  }
});

Deno.test("when its edge shuts down mid-stream, the SDK reconnects to the edge that takes over its URL and every event, sent before or during the gap, resolves and is in Kafka", async () => {
  const since = Date.now() - 1000;
  const player = `sdk-failover-${crypto.randomUUID().slice(0, 8)}`;
  const first = await startEdgeProcess();
  let second: Awaited<ReturnType<typeof startEdgeProcess>> | undefined;
  const states: string[] = [];
  const client = new VeltrixClient({
    url: first.ingestUrl,
    token: () => playerToken(player),
    WebSocket,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  });
  client.on("state", (state) => states.push(state));
  try {
    const warmUp = await Promise.all(Array.from({ length: 50 }, (_, seq) => client.send("player.moved", { seq })));
    const streamed = Array.from({ length: 300 }, (_, seq) => client.send("treasure.collected", { seq }));
    const lost = new Promise<void>((resolve) => client.on("state", (state) => state === "reconnecting" && resolve()));
    assert.equal(await first.stop(), 0);
    await lost;
    const whileDown = Array.from({ length: 100 }, (_, seq) => client.send("treasure.collected", { seq, down: true }));
    assert.ok(client.outboxDepth >= 100);
    second = await startEdgeProcess({ VELTRIX_PORT: String(first.port) });
    const afterFailover = await Promise.all([...streamed, ...whileDown]);

    assert.equal(client.state, "open");
    assert.equal(client.outboxDepth, 0);
    assert.ok(client.stats.reconnects >= 1, `reconnects: ${client.stats.reconnects}`);
    assert.deepEqual(states.slice(0, 2), ["open", "reconnecting"]);

    const counts = await countsByTopic(player, since);
    for (const { id } of warmUp) {
      assert.ok(counts.get("game.player-activity")!.has(id), `${id} in game.player-activity`);
    }
    for (const { id } of afterFailover) {
      for (const topic of EXPECTED["treasure.collected"]!) {
        assert.ok(counts.get(topic)!.has(id), `${id} in ${topic}, at least once`);
      }
    }
  } finally {
    const { unacked } = await client.close();
    assert.deepEqual(unacked, []);
    await first.stop();
    if (second) assert.equal(await second.stop(), 0);
  }
});
