/**
 * `deno task routes replay` on the real broker: events a real edge dead-lettered for a schema
 * violation are replayed after a map fixes the schema. The dry run writes nothing and counts what
 * the real run then writes; the replayed events land once in their target, with their original id
 * and player and `veltrix-replayed-from`; an event the fix does not cover is left; a second replay
 * of the same range writes nothing. kcat reads the topics back.
 */
import assert from "node:assert/strict";
import { SchemaViolationAction } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";
import { routesTask } from "./support/routes_task.ts";

/** The counts of a replay's last line: events (records) written or to be written, and left. */
function counts(stdout: string): { events: number; records: number; left: number; already: number } {
  const match = /(\d+) events \((\d+) records\); (\d+) left where they are, (\d+) already replayed/.exec(stdout);
  assert.ok(match, stdout);
  return { events: Number(match[1]), records: Number(match[2]), left: Number(match[3]), already: Number(match[4]) };
}

Deno.test("routes replay writes dead letters a fixed schema now accepts, once, and its dry run counts what it writes", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const topics = { players: `game.players-${run}`, bad: `veltrix.bad-${run}`, checkpoints: `veltrix.replays-${run}` };
  const ops = await makeSigningKey("ops-replay");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry });
  const admin = `http://127.0.0.1:${edge.adminPort}`;
  const push = async (version: bigint, moved: string) => {
    const response = await fetch(`${admin}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: signedBytes(
        await signRouteMap(ops, {
          version,
          badEventTopic: topics.bad,
          routes: [{
            name: "players",
            match: "player.*",
            targets: [{ topic: topics.players }],
            onSchemaViolation: SchemaViolationAction.DEAD_LETTER,
          }],
          schemas: [
            { match: "player.moved", jsonSchema: moved },
            { match: "player.jumped", jsonSchema: '{"type":"object","properties":{"h":{"type":"integer"}}}' },
          ],
        }),
      ),
    });
    assert.equal(response.status, 200, await response.text());
  };
  const player = `replay-${run}`;
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player));
  try {
    await push(2n, '{"type":"object","properties":{"x":{"type":"integer"}}}');
    const id = (name: string) => `${run}-${name}`;
    const bad = [id("moved-1"), id("moved-2"), id("moved-3")];
    client.sendJson([
      ...bad.map((eventId) => ({ id: eventId, type: "player.moved", data: { x: "left" } })),
      { id: id("jumped"), type: "player.jumped", data: { h: "high" } },
      { id: id("good"), type: "player.moved", data: { x: 4 } },
    ]);
    await client.waitForAcks([...bad, id("jumped"), id("good")]);
    const deadLetters = (await readTopic(testBrokers(), topics.bad, since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(run));
    assert.equal(deadLetters.length, 4);

    // The fix: x may be a string too.
    await push(3n, '{"type":"object","properties":{"x":{"type":["integer","string"]}}}');
    const args = ["replay", "--from", topics.bad, "--since", "10m", "--admin", admin];
    const checkpoint = ["--checkpoint-topic", topics.checkpoints];

    const dry = await routesTask(...args, ...checkpoint, "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /player\.moved\s+routes\s+3/);
    assert.match(dry.stdout, /player\.jumped\s+SCHEMA_VIOLATION\s+1/);
    assert.match(dry.stdout, /dry run: nothing written/);
    const planned = counts(dry.stdout);
    const afterDry = (await readTopic(testBrokers(), topics.players, since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(run));
    assert.deepEqual(afterDry.map((r) => r.headers["veltrix-event-id"]), [id("good")], "the dry run wrote nothing");

    const real = await routesTask(...args, ...checkpoint, "--rate", "1000");
    assert.equal(real.code, 0, real.stderr);
    const wrote = counts(real.stdout);
    assert.deepEqual(wrote, planned, "the dry run's counts are what the replay writes");
    assert.deepEqual(wrote, { events: 3, records: 3, left: 1, already: 0 });

    const second = await routesTask(...args, ...checkpoint);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(counts(second.stdout), { events: 0, records: 0, left: 1, already: 3 });

    const landed = (await readTopic(testBrokers(), topics.players, since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(run));
    const replayed = landed.filter((r) => r.headers["veltrix-replayed-from"] !== undefined);
    assert.deepEqual(replayed.map((r) => r.headers["veltrix-event-id"]).sort(), [...bad].sort(), "each lands once");
    for (const record of replayed) {
      const source = deadLetters.find((d) => d.headers["veltrix-event-id"] === record.headers["veltrix-event-id"])!;
      assert.equal(record.headers["veltrix-replayed-from"], `${topics.bad}/${source.partition}/${source.offset}`);
      assert.equal(record.key, player);
      assert.equal(record.headers["veltrix-route-version"], "3");
    }
    const left = (await readTopic(testBrokers(), topics.bad, since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(run));
    assert.equal(left.length, 4, "the dead letters stay where they are");
  } finally {
    await client.close();
    await edge.stop();
  }
});
