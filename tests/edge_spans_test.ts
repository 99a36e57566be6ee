/**
 * Edge spans over OTLP, end to end: an edge with tracing on (`OTEL_DENO=true`) sends its spans to a
 * small OTLP/HTTP receiver run by this test. The span of an event carries the client's trace id, the
 * client's span as its parent, the `veltrix-edge-span-id` of the event's Kafka records (read back
 * with kcat) as its own id, and the event's type, route version, topics and outcome. A traceparent
 * that is not sampled gets no span (the default sampler, `parentbased_always_on`).
 */
import assert from "node:assert/strict";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { waitForKafka } from "./support/kafka_ready.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { pollUntil } from "./support/prometheus_server.ts";
import { playerToken } from "./support/tokens.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** An OTLP/HTTP receiver on 127.0.0.1: keeps every JSON span posted to /v1/traces, with its resource. */
function startOtlpReceiver() {
  const spans: { span: Json; resource: Json }[] = [];
  const abort = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen: () => {} },
    async (req) => {
      const body = await req.arrayBuffer();
      if (new URL(req.url).pathname === "/v1/traces" && req.headers.get("content-type") === "application/json") {
        for (const resourceSpans of JSON.parse(new TextDecoder().decode(body)).resourceSpans) {
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) spans.push({ span, resource: resourceSpans.resource });
          }
        }
      }
      return new Response("{}", { headers: { "content-type": "application/json" } });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    spans,
    stop: async () => {
      abort.abort();
      await server.finished;
    },
  };
}

const attributes = (span: Json) =>
  Object.fromEntries(
    span.attributes.map((a: Json) => [
      a.key,
      a.value.stringValue ?? a.value.arrayValue.values.map((v: Json) => v.stringValue),
    ]),
  );

Deno.test("an OTLP span per traced event: the client's trace and parent, the edge span id of its Kafka records", async () => {
  await waitForKafka();
  const since = Date.now() - 1_000;
  const receiver = startOtlpReceiver();
  const edge = await startEdgeProcess({
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: "100",
    OTEL_SERVICE_NAME: "veltrix-edge-test",
  });
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken("span-player"));
  try {
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const unsampledTrace = crypto.randomUUID().replaceAll("-", "");
    const sampled = { id: `span-${traceId.slice(0, 8)}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
    const unsampled = { id: `nospan-${traceId.slice(0, 8)}`, traceparent: `00-${unsampledTrace}-00f067aa0ba902b8-00` };
    client.sendRaw(JSON.stringify({
      events: [sampled, unsampled].map((e) => ({ ...e, type: "treasure.collected", data: { gold: 3 } })),
    }));
    await client.waitForAcks([sampled.id, unsampled.id]);

    const { span, resource } = await pollUntil(
      () => Promise.resolve(receiver.spans.find((s) => s.span.traceId === traceId)),
      30_000,
      "the span of the sampled event",
    );
    const records = (await readTopic(testBrokers(), "game.treasure", since)).filter((r) =>
      r.headers["veltrix-event-id"] === sampled.id
    );
    assert.equal(records.length, 1);
    const record = records[0]!;
    assert.equal(span.traceId, traceId, "the client's trace");
    assert.equal(span.parentSpanId, "00f067aa0ba902b7", "the client's span is the parent");
    assert.equal(span.spanId, record.headers["veltrix-edge-span-id"], "the edge span id in the Kafka headers");
    assert.equal(span.name, "veltrix.edge.event");
    assert.deepEqual(attributes(span), {
      "veltrix.event.id": sampled.id,
      "veltrix.event.type": "treasure.collected",
      "veltrix.route_version": record.headers["veltrix-route-version"],
      "veltrix.topics": ["game.treasure", "game.leaderboard"],
      "veltrix.outcome": "acked",
    });
    assert.equal(span.status.code, 1);
    assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano), "from receipt to ack");
    assert.deepEqual(attributes(resource), { "service.name": "veltrix-edge-test", "service.instance.id": edge.edgeId });

    // The unsampled event's records still carry an edge span id; no span is exported for it.
    const unsampledRecords = await readTopic(testBrokers(), "game.treasure", since);
    assert.ok(unsampledRecords.some((r) => r.headers["veltrix-event-id"] === unsampled.id));
    await client.close();
    assert.equal(await edge.stop(), 0);
    assert.equal(receiver.spans.filter((s) => s.span.traceId === unsampledTrace).length, 0, "no span unsampled");
    console.log(`span: ${JSON.stringify(span)}`);
  } finally {
    await client.close();
    await edge.stop();
    await receiver.stop();
  }
});
