import assert from "node:assert/strict";
import { create, fromBinary, fromJson, type JsonValue, toBinary, toJson, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs, ValueSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { type RoutedEvent, RoutedEventSchema } from "../../gen/veltrix/v1/event_pb.ts";
import type { IncomingEvent } from "../frames/client_frame_codec.ts";
import { encodeRoutedEventBinary, encodeRoutedEventJson, type EventStamp } from "./routed_event_encoding.ts";

/** The same RoutedEvent, built the slow way with protobuf-es. */
function reference(event: IncomingEvent, stamp: EventStamp): RoutedEvent {
  return create(RoutedEventSchema, {
    event: {
      id: event.id,
      type: event.type,
      data: event.data === undefined ? undefined : fromJson(ValueSchema, event.data),
      traceparent: event.traceparent ?? "",
      tracestate: event.tracestate ?? "",
    },
    player: stamp.player,
    receivedAt: timestampFromMs(stamp.receivedAtMs),
    edgeId: stamp.edgeId,
    routeVersion: BigInt(stamp.routeVersion),
  });
}

/**
 * JSON text has no negative zero: `JSON.stringify(-0)` is "0" on both sides, but protobuf-es
 * `toJson` hands back the JS value -0 before any text is made. Compare like with like.
 */
function withoutNegativeZero(value: JsonValue): JsonValue {
  return JSON.parse(JSON.stringify(value));
}

const LATEST_MS = 4102444800000; // 2100-01-01T00:00:00Z

const receivedAtMs = fc.oneof(
  fc.integer({ min: 0, max: LATEST_MS }),
  fc.integer({ min: 0, max: LATEST_MS / 1000 }).map((seconds) => seconds * 1000),
  fc.integer({ min: 0, max: 2_000 }),
);
const routeVersion = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map((v) => v.toString());
/**
 * fc.jsonValue() makes neither -0 nor keys such as "__proto__", so JSON with those edge cases is
 * made here: -0 and extreme doubles, keys that name Object.prototype members, and integer-like
 * keys (which objects enumerate before the others).
 */
const edgeKey = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "0", "2", "10", "-1", "", "\u0000"),
);
const edgeNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0, 5e-324, -Number.MAX_VALUE, 1e21, -1e-7, 2 ** 53 + 2),
);
const { edgeJson } = fc.letrec<{ edgeJson: JsonValue }>((tie) => ({
  edgeJson: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    edgeNumber,
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.array(tie("edgeJson"), { maxLength: 4 }),
    fc.dictionary(edgeKey, tie("edgeJson"), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
// fast-check types its JSON objects with optional members; the values it makes never hold undefined.
const data: fc.Arbitrary<JsonValue | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => v as JsonValue),
  fc.jsonValue({ stringUnit: "binary" }).map((v) => v as JsonValue),
  edgeJson,
);

function arbitraryEvent(unit: "grapheme" | "binary") {
  const event: fc.Arbitrary<IncomingEvent> = fc.record({
    id: fc.string({ unit, minLength: 1, maxLength: 64 }),
    type: fc.stringMatching(/^[a-z0-9._-]{1,128}$/),
    data,
    traceparent: fc.tuple(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[0-9a-f]{16}$/))
      .map(([trace, span]) => `00-${trace}-${span}-01`),
    tracestate: fc.string({ unit, minLength: 1, maxLength: 40 }),
  }, { requiredKeys: ["id", "type", "data"] });
  const stamp: fc.Arbitrary<EventStamp> = fc.record({
    player: fc.string({ unit, maxLength: 40 }),
    receivedAtMs,
    edgeId: fc.string({ unit, maxLength: 20 }),
    routeVersion,
  });
  return { event, stamp };
}

const anyText = arbitraryEvent("binary");
const wellFormedText = arbitraryEvent("grapheme");

Deno.test("encodeRoutedEventBinary() writes the same bytes as protobuf-es toBinary", () => {
  fc.assert(
    fc.property(anyText.event, anyText.stamp, (event, stamp) => {
      const expected = toBinary(RoutedEventSchema, reference(event, stamp));
      assert.deepEqual(encodeRoutedEventBinary(event, stamp), expected);
    }),
    { numRuns: 500 },
  );
});

Deno.test("encodeRoutedEventJson() writes the same text as protobuf-es toJsonString", () => {
  fc.assert(
    fc.property(anyText.event, anyText.stamp, (event, stamp) => {
      assert.equal(encodeRoutedEventJson(event, stamp), toJsonString(RoutedEventSchema, reference(event, stamp)));
    }),
    { numRuns: 500 },
  );
});

Deno.test("encodeRoutedEventJson() parses to the value of protobuf-es toJson", () => {
  fc.assert(
    fc.property(anyText.event, anyText.stamp, (event, stamp) => {
      const expected = withoutNegativeZero(toJson(RoutedEventSchema, reference(event, stamp)));
      assert.deepEqual(JSON.parse(encodeRoutedEventJson(event, stamp)), expected);
    }),
    { numRuns: 500 },
  );
});

Deno.test("encodeRoutedEventBinary() decodes back to the event and stamp it was given", () => {
  fc.assert(
    fc.property(wellFormedText.event, wellFormedText.stamp, (event, stamp) => {
      const decoded = fromBinary(RoutedEventSchema, encodeRoutedEventBinary(event, stamp));
      assert.equal(decoded.event?.id, event.id);
      assert.equal(decoded.event?.type, event.type);
      if (event.data === undefined) assert.equal(decoded.event?.data, undefined);
      else {
        assert.ok(decoded.event?.data !== undefined);
        assert.deepEqual(toJson(ValueSchema, decoded.event.data), event.data);
      }
      assert.equal(decoded.player, stamp.player);
      assert.ok(decoded.receivedAt !== undefined);
      assert.equal(timestampMs(decoded.receivedAt), stamp.receivedAtMs);
      assert.equal(decoded.edgeId, stamp.edgeId);
      assert.equal(decoded.routeVersion, BigInt(stamp.routeVersion));
    }),
    { numRuns: 300 },
  );
});

const example: IncomingEvent = { id: "e-1", type: "treasure.collected", data: { gold: 3, at: [1, 2] } };
const exampleStamp: EventStamp = {
  player: "player-7",
  receivedAtMs: 1_700_000_000_123,
  edgeId: "edge-a",
  routeVersion: "42",
};

Deno.test("encodeRoutedEventJson() writes the protobuf JSON field names and forms", () => {
  assert.deepEqual(JSON.parse(encodeRoutedEventJson(example, exampleStamp)), {
    event: { id: "e-1", type: "treasure.collected", data: { gold: 3, at: [1, 2] } },
    player: "player-7",
    receivedAt: "2023-11-14T22:13:20.123Z",
    edgeId: "edge-a",
    routeVersion: "42",
  });
});

Deno.test("encodeRoutedEventJson() prints a whole-second time without a fraction", () => {
  const stamp = { ...exampleStamp, receivedAtMs: 1_700_000_000_000 };
  assert.equal(JSON.parse(encodeRoutedEventJson(example, stamp)).receivedAt, "2023-11-14T22:13:20Z");
  assert.equal(
    JSON.parse(encodeRoutedEventJson(example, { ...stamp, receivedAtMs: 0 })).receivedAt,
    "1970-01-01T00:00:00Z",
  );
});

Deno.test("encodeRoutedEventJson() leaves out data, player and edge id when there are none", () => {
  const json = JSON.parse(
    encodeRoutedEventJson({ id: "e", type: "t", data: undefined }, { ...exampleStamp, player: "", edgeId: "" }),
  );
  assert.deepEqual(json, { event: { id: "e", type: "t" }, receivedAt: "2023-11-14T22:13:20.123Z", routeVersion: "42" });
});

Deno.test("encodeRoutedEventJson() keeps a null data as null", () => {
  const json = JSON.parse(encodeRoutedEventJson({ ...example, data: null }, exampleStamp));
  assert.ok("data" in json.event);
  assert.equal(json.event.data, null);
});

Deno.test("encodeRoutedEventBinary() keeps data keys named __proto__ as data", () => {
  const event: IncomingEvent = { ...example, data: JSON.parse('{"__proto__":{"polluted":true},"x":1}') };
  const bytes = encodeRoutedEventBinary(event, exampleStamp);
  assert.deepEqual(bytes, toBinary(RoutedEventSchema, reference(event, exampleStamp)));
  const data = toJson(ValueSchema, fromBinary(RoutedEventSchema, bytes).event!.data!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(data), ["__proto__", "x"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("encodeRoutedEventBinary() gives each call its own bytes", () => {
  const first = encodeRoutedEventBinary(example, exampleStamp);
  const copy = first.slice();
  const second = encodeRoutedEventBinary({ ...example, id: "e-2" }, { ...exampleStamp, player: "other" });
  assert.deepEqual(first, copy);
  assert.notDeepEqual(first, second);
  assert.deepEqual(encodeRoutedEventBinary(example, exampleStamp), copy);
});

Deno.test("encodeRoutedEventBinary() is unaffected by an earlier call that threw", () => {
  const stamp: EventStamp = { player: "bob", receivedAtMs: 1000, edgeId: "x", routeVersion: "1" };
  const ok: IncomingEvent = { id: "b-1", type: "t", data: undefined };
  const before = encodeRoutedEventBinary(ok, stamp);
  let deep: JsonValue = "x";
  for (let i = 0; i < 20_000; i++) deep = [deep];
  assert.throws(() => encodeRoutedEventBinary({ id: "a-1", type: "t", data: deep }, stamp), RangeError);
  const after = encodeRoutedEventBinary(ok, stamp);
  assert.deepEqual(after, before);
  assert.equal(fromBinary(RoutedEventSchema, after).event?.id, "b-1");
});
