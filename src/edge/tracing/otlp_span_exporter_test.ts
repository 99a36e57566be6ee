import assert from "node:assert/strict";
import { type FinishedSpan, OtlpSpanExporter, parseOtlpHeaders } from "./otlp_span_exporter.ts";

const span = (i: number): FinishedSpan => ({
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: i.toString(16).padStart(16, "0"),
  parentSpanId: "00f067aa0ba902b7",
  name: "veltrix.edge.event",
  startMs: 1_700_000_000_000,
  endMs: 1_700_000_000_012.5,
  attributes: { "veltrix.event.type": "t", "veltrix.topics": ["a", "b"] },
  ok: i % 2 === 0,
  ...(i % 2 === 0 ? {} : { message: "no" }),
});

// deno-lint-ignore no-explicit-any
type Json = any;

function recorder() {
  const requests: { url: string; headers: Headers; body: Json }[] = [];
  const fetch = (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)) });
    return Promise.resolve(new Response("{}"));
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

Deno.test("OtlpSpanExporter posts OTLP JSON: resource, hex ids, nanosecond times, attributes and status", async () => {
  const { requests, fetch } = recorder();
  const exporter = new OtlpSpanExporter({
    url: "http://collector/v1/traces",
    headers: { "x-api-key": "k" },
    resource: { "service.name": "edge" },
    fetch,
  });
  exporter.add(span(0));
  exporter.add(span(1));
  assert.equal(requests.length, 0, "nothing is sent per span");
  await exporter.flush();
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.url, "http://collector/v1/traces");
  assert.equal(requests[0]!.headers.get("content-type"), "application/json");
  assert.equal(requests[0]!.headers.get("x-api-key"), "k");
  const [resourceSpans] = requests[0]!.body.resourceSpans as Json[];
  assert.deepEqual(resourceSpans!.resource, { attributes: [{ key: "service.name", value: { stringValue: "edge" } }] });
  const [first, second] = resourceSpans!.scopeSpans[0].spans;
  assert.deepEqual(first, {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "0000000000000000",
    parentSpanId: "00f067aa0ba902b7",
    name: "veltrix.edge.event",
    kind: 2,
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000012500000",
    attributes: [
      { key: "veltrix.event.type", value: { stringValue: "t" } },
      { key: "veltrix.topics", value: { arrayValue: { values: [{ stringValue: "a" }, { stringValue: "b" }] } } },
    ],
    status: { code: 1 },
  });
  assert.deepEqual(second.status, { code: 2, message: "no" });
  assert.equal(exporter.exported, 2);
});

Deno.test("OtlpSpanExporter sends full batches at once, drops past its queue, and reports failed requests", async () => {
  const { requests, fetch } = recorder();
  const errors: unknown[] = [];
  const exporter = new OtlpSpanExporter({
    url: "http://collector/v1/traces",
    resource: {},
    maxBatch: 3,
    maxQueue: 4,
    scheduleDelayMs: 60_000,
    fetch,
  });
  for (let i = 0; i < 6; i++) exporter.add(span(i));
  assert.equal(exporter.dropped, 2, "the queue holds 4");
  await exporter.flush();
  assert.deepEqual(requests.map((r) => r.body.resourceSpans[0].scopeSpans[0].spans.length), [3, 1]);

  const failing = new OtlpSpanExporter({
    url: "http://collector/v1/traces",
    resource: {},
    onError: (error) => errors.push(error),
    fetch: () => Promise.resolve(new Response("no", { status: 503 })),
  });
  failing.add(span(0));
  await failing.flush();
  assert.equal(errors.length, 1);
  assert.equal(failing.exported, 0);
});

Deno.test("parseOtlpHeaders() reads key=value pairs, URL-decoded, and skips malformed ones", () => {
  assert.deepEqual(parseOtlpHeaders("api-key=a%20b, x=1,bad,=v"), { "api-key": "a b", x: "1" });
  assert.deepEqual(parseOtlpHeaders(""), {});
});
