/**
 * Payload schemas on a real edge and the real broker: a signed map with schemas is applied, a
 * REJECT route's bad data is refused with SCHEMA_VIOLATION and written nowhere, a DEAD_LETTER
 * route's bad data is acked and lands in the bad-event topic with headers that say why, and good
 * data is routed as usual; kcat reads every topic back. A map whose schemas break the limits is
 * refused with every problem listed.
 */
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { RoutedEventSchema } from "../src/gen/veltrix/v1/event_pb.ts";
import { SchemaViolationAction } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";

const GOLD = JSON.stringify({
  type: "object",
  required: ["chest", "gold"],
  properties: { chest: { type: "integer", minimum: 0 }, gold: { type: "integer", minimum: 0 } },
});
const MOVED = JSON.stringify({ type: "object", required: ["x", "y"], properties: { x: { type: "integer" } } });

async function post(adminPort: number, body: Uint8Array) {
  const response = await fetch(`http://127.0.0.1:${adminPort}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: body as BodyInit,
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("an edge rejects or dead-letters data that fails a schema as its route says, and kcat finds each event where it belongs", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const topics = { treasure: `game.treasure-${run}`, players: `game.players-${run}`, bad: `veltrix.bad-${run}` };
  const ops = await makeSigningKey("ops-schemas");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry });
  const player = `schema-${run}`;
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player));
  try {
    const tooMuch = await post(
      edge.adminPort,
      signedBytes(
        await signRouteMap(ops, {
          version: 2n,
          routes: [{ name: "t", match: "treasure.*", targets: [{ topic: topics.treasure }] }],
          schemas: [
            { match: "treasure.opened", jsonSchema: '{"type":"string","pattern":"^(a)\\\\1$"}' },
            { match: "treasure.collected", jsonSchema: '{"$ref":"https://evil.test/schema.json"}' },
          ],
        }),
      ),
    );
    assert.equal(tooMuch.status, 422, JSON.stringify(tooMuch.body));
    assert.equal(tooMuch.body.error.code, "INVALID_ROUTE_MAP");
    assert.match(tooMuch.body.error.message, /schemas\[0\]\.jsonSchema: SCHEMA_UNSAFE_PATTERN/);
    assert.match(tooMuch.body.error.message, /schemas\[1\]\.jsonSchema: SCHEMA_REMOTE_REF/);

    const applied = await post(
      edge.adminPort,
      signedBytes(
        await signRouteMap(ops, {
          version: 2n,
          deadLetterTopic: "veltrix.unrouted",
          badEventTopic: topics.bad,
          routes: [
            { name: "treasure", match: "treasure.*", targets: [{ topic: topics.treasure }] },
            {
              name: "players",
              match: "player.*",
              targets: [{ topic: topics.players }],
              onSchemaViolation: SchemaViolationAction.DEAD_LETTER,
            },
          ],
          schemas: [{ match: "treasure.collected", jsonSchema: GOLD }, { match: "player.*", jsonSchema: MOVED }],
        }),
      ),
    );
    assert.equal(applied.status, 200, JSON.stringify(applied.body));

    const id = (name: string) => `${run}-${name}`;
    client.sendJson([
      { id: id("good-gold"), type: "treasure.collected", data: { chest: 1, gold: 40 } },
      { id: id("bad-gold"), type: "treasure.collected", data: { chest: 1, gold: -40 } },
      { id: id("good-move"), type: "player.moved", data: { x: 1, y: 2 } },
      { id: id("bad-move"), type: "player.moved", data: { x: "left", y: 2 } },
      { id: id("no-schema"), type: "treasure.opened", data: "anything" },
    ]);
    client.sendBinary([{ id: id("bad-move-binary"), type: "player.moved", data: { y: 2 } }]);
    await client.waitForAcks([
      id("good-gold"),
      id("good-move"),
      id("bad-move"),
      id("no-schema"),
      id("bad-move-binary"),
    ]);
    await client.waitFor(() => client.rejected.has(id("bad-gold")));
    const reject = client.rejected.get(id("bad-gold"))!;
    assert.equal(reject.code, "SCHEMA_VIOLATION");
    assert.match(reject.message, /"treasure\.collected" at "\/gold": minimum/);

    const read = async (topic: string) =>
      (await readTopic(testBrokers(), topic, since)).filter((r) => r.headers["veltrix-event-id"]?.startsWith(run));
    const [treasure, players, bad] = await Promise.all([read(topics.treasure), read(topics.players), read(topics.bad)]);
    assert.deepEqual(treasure.map((r) => r.headers["veltrix-event-id"]).sort(), [id("good-gold"), id("no-schema")]);
    assert.deepEqual(players.map((r) => r.headers["veltrix-event-id"]), [id("good-move")]);
    assert.deepEqual(bad.map((r) => r.headers["veltrix-event-id"]).sort(), [id("bad-move"), id("bad-move-binary")]);
    const first = bad.find((r) => r.headers["veltrix-event-id"] === id("bad-move"))!;
    assert.equal(first.key, player);
    assert.deepEqual(
      {
        reason: first.headers["veltrix-reason"],
        pointer: first.headers["veltrix-schema-pointer"],
        keyword: first.headers["veltrix-schema-keyword"],
        schema: first.headers["veltrix-schema-match"],
        type: first.headers["veltrix-event-type"],
        edge: first.headers["veltrix-edge-id"],
        version: first.headers["veltrix-route-version"],
      },
      {
        reason: "SCHEMA_VIOLATION",
        pointer: "/x",
        keyword: "type",
        schema: "player.*",
        type: "player.moved",
        edge: edge.edgeId,
        version: "2",
      },
    );
    const original = fromBinary(RoutedEventSchema, first.value);
    assert.equal(original.event?.type, "player.moved");
    assert.equal(original.event?.data?.kind.case, "structValue");
    assert.equal(original.routeVersion, 2n);
    assert.equal(original.edgeId, edge.edgeId);
    const binary = bad.find((r) => r.headers["veltrix-event-id"] === id("bad-move-binary"))!;
    assert.deepEqual([binary.headers["veltrix-schema-pointer"], binary.headers["veltrix-schema-keyword"]], [
      "",
      "required",
    ]);
  } finally {
    await client.close();
    await edge.stop();
  }
});
