import assert from "node:assert/strict";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { IngestConnection } from "../ingest/ingest_connection.ts";
import { createIngestContext } from "../ingest/ingest_context.ts";
import { ProduceBatcher } from "../ingest/produce_batcher.ts";
import { FakeRecordSink } from "../ingest/testing/fake_record_sink.ts";
import { EdgeSpans } from "./edge_spans.ts";
import type { FinishedSpan, SpanExporter } from "./otlp_span_exporter.ts";
import { traceSampler } from "./trace_sampler.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const sampled = (id: string) => ({ id, type: "treasure.collected", traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });

function setup(maxPendingEvents = 100) {
  const spans: FinishedSpan[] = [];
  const exporter: SpanExporter = { add: (span) => void spans.push(span) };
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, {
    lingerMs: 0,
    maxLingerMs: 0,
    batchMaxEvents: 100,
    batchMaxBytes: 10_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents,
  });
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const sent: string[] = [];
  const socket = { readyState: WebSocket.OPEN, send: (data: string | Uint8Array) => void sent.push(String(data)) };
  const context = createIngestContext({
    routes,
    batcher,
    edgeId: "e",
    spans: new EdgeSpans(traceSampler("parentbased_always_on", 1), exporter),
  });
  return { spans, sink, sent, connection: new IngestConnection(socket, "p", context) };
}

Deno.test("EdgeSpans: an acked traced event ends one span with its records' edge span id, the client parent and its attributes", async () => {
  const { spans, sink, connection } = setup();
  connection.receive(JSON.stringify({ events: [sampled("e-1"), { id: "e-2", type: "treasure.collected" }] }));
  const write = await sink.written(1);
  assert.equal(spans.length, 0, "no span before Kafka's ack");
  write.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(spans.length, 1, "one span: the untraced event has none");
  const [span] = spans;
  const records = write.records.filter((r) => r.headers["veltrix-event-id"] === "e-1");
  assert.equal(span!.spanId, records[0]!.headers["veltrix-edge-span-id"]);
  assert.equal(span!.traceId, TRACE);
  assert.equal(span!.parentSpanId, "00f067aa0ba902b7");
  assert.deepEqual(span!.attributes, {
    "veltrix.event.id": "e-1",
    "veltrix.event.type": "treasure.collected",
    "veltrix.route_version": "1",
    "veltrix.topics": records.map((r) => r.topic),
    "veltrix.outcome": "acked",
  });
  assert.equal(span!.ok, true);
  assert.ok(span!.endMs >= span!.startMs);
});

Deno.test("EdgeSpans: a failed write ends the span with KAFKA_WRITE_FAILED; an unsampled traceparent records none", async () => {
  const { spans, sink, connection } = setup();
  const unsampled = { ...sampled("e-2"), traceparent: `00-${TRACE}-00f067aa0ba902b7-00` };
  connection.receive(JSON.stringify({ events: [sampled("e-1"), unsampled] }));
  (await sink.written(1)).reject(new Error("broker gone"));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(spans.length, 1);
  assert.equal(spans[0]!.attributes["veltrix.outcome"], "KAFKA_WRITE_FAILED");
  assert.equal(spans[0]!.ok, false);
});

Deno.test("EdgeSpans: an event refused as OVERLOADED ends its span with that outcome at once", async () => {
  const { spans, sent, connection } = setup(1);
  connection.receive(JSON.stringify({ events: [sampled("e-1"), sampled("e-2")] }));
  assert.deepEqual(spans.map((s) => [s.attributes["veltrix.event.id"], s.attributes["veltrix.outcome"]]), [
    ["e-2", "OVERLOADED"],
  ]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.match(sent.join("\n"), /OVERLOADED/, "the client is told");
});
