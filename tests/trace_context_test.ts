/**
 * Trace context end to end on the real broker: a game client's W3C traceparent, sent through the
 * SDK, reaches every Kafka record of the event with the edge's own span id, and the consumer
 * library hands a consumer the parent its span continues from. An invalid traceparent is dropped
 * and the event still goes through.
 */
import assert from "node:assert/strict";
import { VeltrixClient } from "../src/client/mod.ts";
import { decodeRoutedEvent } from "../src/consumer/mod.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { waitForKafka } from "./support/kafka_ready.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

Deno.test("a client's traceparent reaches every record with the edge's span, and the consumer library continues it", async () => {
  await waitForKafka();
  const since = Date.now() - 1_000;
  const player = `trace-${crypto.randomUUID().slice(0, 8)}`;
  const edge = await startEdgeProcess();
  const client = new VeltrixClient({ url: edge.ingestUrl, token: () => playerToken(player), WebSocket });
  try {
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const traced = await client.send("treasure.collected", { chest: 1 }, { traceparent, tracestate: "game=7" });
    const bad = await client.send("treasure.collected", { chest: 2 }, { traceparent: "00-not-a-trace-01" });
    await client.close();

    const records = [
      ...await readTopic(testBrokers(), "game.treasure", since),
      ...await readTopic(testBrokers(), "game.leaderboard", since),
    ];
    const ofTraced = records.filter((r) => r.headers["veltrix-event-id"] === traced.id);
    assert.equal(ofTraced.length, 2, "treasure.collected goes to two topics");
    const edgeSpans = new Set(ofTraced.map((r) => r.headers["veltrix-edge-span-id"]));
    assert.equal(edgeSpans.size, 1, "one edge span per event, on each of its records");
    const [edgeSpanId] = edgeSpans;
    assert.match(edgeSpanId!, /^[0-9a-f]{16}$/);
    for (const record of ofTraced) {
      assert.equal(record.headers.traceparent, traceparent);
      assert.equal(record.headers.tracestate, "game=7");
      const trace = decodeRoutedEvent(record).trace;
      assert.deepEqual(trace, {
        traceId,
        clientSpanId: "00f067aa0ba902b7",
        edgeSpanId,
        flags: "01",
        clientTraceparent: traceparent,
        tracestate: "game=7",
        traceparent: `00-${traceId}-${edgeSpanId}-01`,
      });
    }

    const ofBad = records.filter((r) => r.headers["veltrix-event-id"] === bad.id);
    assert.equal(ofBad.length, 2, "an invalid traceparent does not stop the event");
    for (const record of ofBad) {
      assert.equal(record.headers.traceparent, undefined);
      assert.equal(record.headers["veltrix-edge-span-id"], undefined);
      assert.equal(decodeRoutedEvent(record).trace, undefined);
    }
  } finally {
    await edge.stop();
  }
});
