/**
 * End to end on the real broker: game clients send events over WebSocket to an edge process, and
 * an independent consumer (kcat) finds each one in exactly the topics the default map names, with
 * the right key, headers and value.
 */
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { RoutedEventSchema } from "../src/gen/veltrix/v1/event_pb.ts";
import { type ReadRecord, readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient, type TestEvent } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

const TOPICS = ["game.player-activity", "game.treasure", "game.leaderboard", "veltrix.unrouted"];
const EXPECTED: Record<string, string[]> = {
  "player.moved": ["game.player-activity"],
  "player.skipped": ["game.player-activity"],
  "treasure.opened": ["game.treasure"],
  "treasure.collected": ["game.treasure", "game.leaderboard"],
  "lobby.ping": ["veltrix.unrouted"],
};

async function readAll(sinceMs: number): Promise<ReadRecord[]> {
  const all = await Promise.all(TOPICS.map((topic) => readTopic(testBrokers(), topic, sinceMs)));
  return all.flat();
}

Deno.test("events from several connections land in exactly the topics the default map names", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const edge = await startEdgeProcess();
  const players = ["alice", "bob", "carol"].map((name) => `${name}-${run}`);
  const clients = await Promise.all(
    players.map(async (p) => IngestClient.connect(edge.ingestUrl, await playerToken(p))),
  );
  try {
    const sent = new Map<string, { player: string; event: TestEvent; binary: boolean }>();
    clients.forEach((client, c) => {
      const types = Object.keys(EXPECTED);
      const events: TestEvent[] = types.map((type, t) => ({
        id: `${run}-${c}-${t}`,
        type,
        data: { chest: t, gold: c * 10, tags: ["x", true, null] },
      }));
      const binary = c % 2 === 1;
      for (const event of events) sent.set(event.id, { player: players[c]!, event, binary });
      if (binary) client.sendBinary(events);
      else client.sendJson(events);
    });
    await Promise.all(
      clients.map((client, c) => client.waitForAcks([...sent.keys()].filter((id) => id.startsWith(`${run}-${c}-`)))),
    );

    const found = (await readAll(since)).filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${run}-`));
    for (const [id, { player, event }] of sent) {
      const records = found.filter((r) => r.headers["veltrix-event-id"] === id);
      assert.deepEqual(records.map((r) => r.topic).sort(), [...EXPECTED[event.type]!].sort(), `topics of ${id}`);
      for (const record of records) {
        assert.equal(record.key, player, "keyed by the authenticated player");
        assert.deepEqual(Object.keys(record.headers).sort(), [
          "content-type",
          "veltrix-event-id",
          "veltrix-route-version",
        ], "the three documented headers");
        assert.equal(record.headers["veltrix-route-version"], "1");
        assert.match(record.headers["content-type"]!, /^application\/x-protobuf/);
        const routed = fromBinary(RoutedEventSchema, record.value);
        assert.equal(routed.event?.id, id);
        assert.equal(routed.event?.type, event.type);
        assert.equal(routed.player, player);
        assert.equal(routed.edgeId, edge.edgeId);
        assert.equal(routed.routeVersion, 1n);
        assert.ok(routed.receivedAt && Math.abs(timestampMs(routed.receivedAt) - Date.now()) < 60_000);
        assert.deepEqual(routed.event?.data?.kind.case, "structValue");
      }
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    assert.equal(await edge.stop(), 0);
  }
});

Deno.test("a client cannot choose its player: the token's subject is stamped, whatever the frame says", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const edge = await startEdgeProcess();
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(`honest-${run}`));
  try {
    client.sendRaw(JSON.stringify({
      player: "someone-else",
      events: [{ id: `${run}-1`, type: "player.moved", player: "someone-else", data: { player: "x" } }],
    }));
    await client.waitForAcks([`${run}-1`]);
    const [record] = (await readTopic(testBrokers(), "game.player-activity", since))
      .filter((r) => r.headers["veltrix-event-id"] === `${run}-1`);
    assert.ok(record);
    assert.equal(record.key, `honest-${run}`);
    assert.equal(fromBinary(RoutedEventSchema, record.value).player, `honest-${run}`);
  } finally {
    await client.close();
    await edge.stop();
  }
});

Deno.test("per-player order holds within a partition across many frames", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const edge = await startEdgeProcess({ VELTRIX_LINGER_MS: "1", VELTRIX_BATCH_MAX_EVENTS: "7" });
  const players = Array.from({ length: 4 }, (_, i) => `order-${i}-${run}`);
  const clients = await Promise.all(
    players.map(async (p) => IngestClient.connect(edge.ingestUrl, await playerToken(p))),
  );
  try {
    const perPlayer = 300;
    for (let seq = 0; seq < perPlayer; seq += 10) {
      clients.forEach((client, c) => {
        const events = Array.from({ length: 10 }, (_, k) => ({ id: `${run}-${c}-${seq + k}`, type: "player.moved" }));
        if (seq % 20 === 0) client.sendJson(events);
        else client.sendBinary(events);
      });
    }
    await Promise.all(
      clients.map((client, c) =>
        client.waitForAcks(Array.from({ length: perPlayer }, (_, s) => `${run}-${c}-${s}`), 30_000)
      ),
    );
    const records = (await readTopic(testBrokers(), "game.player-activity", since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${run}-`));
    players.forEach((player) => {
      const mine = records.filter((r) => r.key === player);
      assert.equal(new Set(mine.map((r) => r.partition)).size, 1, "one player, one partition");
      mine.sort((a, b) => a.offset - b.offset);
      const sequence = mine.map((r) => Number(r.headers["veltrix-event-id"]!.split("-").pop()));
      assert.deepEqual(sequence, Array.from({ length: perPlayer }, (_, s) => s), `order of ${player}`);
    });
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await edge.stop();
  }
});
