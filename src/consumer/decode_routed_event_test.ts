import assert from "node:assert/strict";
import {
  encodeRoutedEventBinary,
  encodeRoutedEventJson,
  type EventStamp,
  type IncomingEvent,
  JSON_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
  VeltrixError,
} from "../core/mod.ts";
import { decodeRoutedEvent } from "./decode_routed_event.ts";

const event: IncomingEvent = { id: "e-1", type: "treasure.collected", data: { chest: "c9", gold: 12, ok: true } };
const stamp: EventStamp = { player: "p-7", receivedAtMs: 1_764_590_400_123, edgeId: "edge-a", routeVersion: "42" };
const encoder = new TextEncoder();

function protobufRecord() {
  return { value: encodeRoutedEventBinary(event, stamp), headers: { "content-type": PROTOBUF_CONTENT_TYPE } };
}

function jsonRecord() {
  return {
    value: encoder.encode(encodeRoutedEventJson(event, stamp)),
    headers: { "content-type": JSON_CONTENT_TYPE },
  };
}

function assertInvalidRecord(run: () => unknown, message: RegExp): void {
  assert.throws(
    run,
    (error) => error instanceof VeltrixError && error.code === "INVALID_RECORD" && message.test(error.message),
  );
}

Deno.test("decodeRoutedEvent() reads a protobuf record into the event and the edge's stamp", () => {
  assert.deepEqual(decodeRoutedEvent(protobufRecord()), {
    id: "e-1",
    type: "treasure.collected",
    data: { chest: "c9", gold: 12, ok: true },
    player: "p-7",
    receivedAt: new Date(1_764_590_400_123),
    edgeId: "edge-a",
    routeVersion: 42n,
    format: "protobuf",
  });
});

Deno.test("decodeRoutedEvent() reads a JSON record into the same event as its protobuf twin", () => {
  const fromJson = decodeRoutedEvent(jsonRecord());
  assert.equal(fromJson.format, "json");
  assert.deepEqual({ ...fromJson, format: "protobuf" }, decodeRoutedEvent(protobufRecord()));
});

Deno.test("decodeRoutedEvent() leaves data undefined when the client sent none", () => {
  const value = encodeRoutedEventBinary({ id: "e-2", type: "a.b", data: undefined }, stamp);
  assert.equal(decodeRoutedEvent({ value, headers: { "content-type": PROTOBUF_CONTENT_TYPE } }).data, undefined);
});

Deno.test("decodeRoutedEvent() refuses a record without a content-type header, naming the reason", () => {
  assertInvalidRecord(() => decodeRoutedEvent({ value: protobufRecord().value, headers: {} }), /no content-type/);
});

Deno.test("decodeRoutedEvent() refuses a record of another content type", () => {
  assertInvalidRecord(
    () => decodeRoutedEvent({ value: encoder.encode("{}"), headers: { "content-type": "application/json" } }),
    /content-type "application\/json"/,
  );
});

Deno.test("decodeRoutedEvent() refuses a record with no value (a tombstone)", () => {
  assertInvalidRecord(
    () => decodeRoutedEvent({ value: null, headers: { "content-type": PROTOBUF_CONTENT_TYPE } }),
    /has no value/,
  );
});

Deno.test("decodeRoutedEvent() refuses bytes that are no protobuf RoutedEvent", () => {
  assertInvalidRecord(
    () => decodeRoutedEvent({ value: new Uint8Array([0xff, 0xff, 0xff]), headers: protobufRecord().headers }),
    /no protobuf RoutedEvent/,
  );
});

Deno.test("decodeRoutedEvent() refuses JSON that is not a RoutedEvent, and text that is not UTF-8", () => {
  const headers = jsonRecord().headers;
  assertInvalidRecord(() => decodeRoutedEvent({ value: encoder.encode('{"nope":1}'), headers }), /no json RoutedEvent/);
  assertInvalidRecord(() => decodeRoutedEvent({ value: new Uint8Array([0xc3, 0x28]), headers }), /no json RoutedEvent/);
});

Deno.test("decodeRoutedEvent() refuses a RoutedEvent without an event id or type", () => {
  const value = encoder.encode('{"event":{"type":"a.b"},"player":"p"}');
  assertInvalidRecord(() => decodeRoutedEvent({ value, headers: jsonRecord().headers }), /no event id or type/);
});

Deno.test("decodeRoutedEvent() exposes the trace context: the client's span, the edge's, and the parent for a consumer's span", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const traced = { ...event, traceparent, tracestate: "rojo=1" };
  const value = encodeRoutedEventBinary(traced, stamp);
  const headers = {
    "content-type": PROTOBUF_CONTENT_TYPE,
    traceparent,
    tracestate: "rojo=1",
    "veltrix-edge-span-id": "b7ad6b7169203331",
  };
  assert.deepEqual(decodeRoutedEvent({ value, headers }).trace, {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    clientSpanId: "00f067aa0ba902b7",
    edgeSpanId: "b7ad6b7169203331",
    flags: "01",
    clientTraceparent: traceparent,
    tracestate: "rojo=1",
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01",
  });
  const fromValueOnly = decodeRoutedEvent({ value, headers: { "content-type": PROTOBUF_CONTENT_TYPE } }).trace;
  assert.equal(fromValueOnly?.edgeSpanId, undefined);
  assert.equal(fromValueOnly?.traceparent, traceparent, "without an edge span the parent is the client's");
  assert.equal(decodeRoutedEvent(protobufRecord()).trace, undefined);
});
