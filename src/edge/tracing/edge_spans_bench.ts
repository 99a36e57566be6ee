/**
 * What the edge's spans cost per event: one JSON frame of 100 traced events through a connection's
 * receive loop, the batcher and an immediate sink, until every event is acked, with tracing off
 * (no span recorder), and on with `traceidratio` at 1 % and at 100 % (spans queued, encoded as
 * OTLP JSON and handed to a fetch that answers at once). Divide by 100 for the cost per event.
 */
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { IngestConnection } from "../ingest/ingest_connection.ts";
import { createIngestContext } from "../ingest/ingest_context.ts";
import { immediateBatcher } from "../ingest/testing/immediate_batcher.ts";
import { EdgeSpans } from "./edge_spans.ts";
import { OtlpSpanExporter } from "./otlp_span_exporter.ts";
import { traceSampler } from "./trace_sampler.ts";

const EVENTS = 100;
const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const frame = JSON.stringify({
  events: Array.from({ length: EVENTS }, (_, i) => ({
    id: `bench-${i}`,
    type: "treasure.collected",
    data: { gold: i },
    traceparent: `00-${hex(16)}-${hex(8)}-01`,
  })),
});

function setup(ratio: number | undefined) {
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const batcher = immediateBatcher(EVENTS);
  const exporter = new OtlpSpanExporter({
    url: "http://127.0.0.1:1/v1/traces",
    resource: { "service.name": "bench" },
    fetch: () => Promise.resolve(new Response(null)),
  });
  const spans = ratio === undefined ? undefined : new EdgeSpans(traceSampler("traceidratio", ratio), exporter);
  const socket = { readyState: WebSocket.OPEN, send() {} };
  const connection = new IngestConnection(
    socket,
    "bench-player",
    createIngestContext({ routes, batcher, edgeId: "b", spans }),
  );
  return { connection, batcher, exporter };
}

for (const [name, ratio] of [["off", undefined], ["on, 1 %", 0.01], ["on, 100 %", 1]] as const) {
  const { connection, batcher, exporter } = setup(ratio);
  Deno.bench(`edge spans ${name}: a frame of ${EVENTS} traced events, received to acked`, {
    group: "edge spans",
    baseline: ratio === undefined,
  }, async () => {
    connection.receive(frame);
    await batcher.drain();
    await exporter.flush();
  });
}
