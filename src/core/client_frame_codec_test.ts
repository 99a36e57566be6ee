import assert from "node:assert/strict";
import { create, fromBinary, fromJson, type JsonValue, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema, ServerFrameSchema } from "../gen/veltrix/v1/event_pb.ts";
import {
  decodeBinaryClientFrame,
  decodeJsonClientFrame,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
  type ServerReply,
} from "./client_frame_codec.ts";
import { VeltrixError } from "./veltrix_error.ts";

function assertInvalidFrame(decode: () => unknown): VeltrixError {
  let caught: unknown;
  try {
    decode();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof VeltrixError, `expected a VeltrixError, got ${caught}`);
  assert.equal(caught.code, "INVALID_FRAME");
  return caught;
}

function binaryFrame(events: MessageInitShape<typeof ClientFrameSchema>["events"]): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { events }));
}

Deno.test("decodeJsonClientFrame() reads a valid frame", () => {
  const frame = decodeJsonClientFrame(
    '{"events":[{"id":"e-1","type":"treasure.collected","data":{"gold":3}},{"id":"e-2","type":"player.moved"}]}',
  );
  assert.deepEqual(frame, {
    events: [
      { id: "e-1", type: "treasure.collected", data: { gold: 3 } },
      { id: "e-2", type: "player.moved", data: undefined },
    ],
    rejects: [],
  });
});

Deno.test("decodeJsonClientFrame() reads an empty events array as no events and no rejects", () => {
  assert.deepEqual(decodeJsonClientFrame('{"events":[]}'), { events: [], rejects: [] });
});

Deno.test("decodeJsonClientFrame() leaves data undefined when absent and takes any JSON value when present", () => {
  const values = [{ a: [1, { b: null }] }, [1, "two", false], 42.5, -7, "text", "", true, false, null, {}, []];
  for (const data of values) {
    const text = JSON.stringify({ events: [{ id: "e", type: "t", data }] });
    const frame = decodeJsonClientFrame(text);
    assert.deepEqual(frame.events, [{ id: "e", type: "t", data }], text);
    assert.deepEqual(frame.rejects, []);
  }
  const [absent] = decodeJsonClientFrame('{"events":[{"id":"e","type":"t"}]}').events;
  assert.ok(absent !== undefined);
  assert.equal(absent.data, undefined);
});

Deno.test("decodeJsonClientFrame() throws INVALID_FRAME for text that is not JSON", () => {
  for (const text of ["", "{", "events", '{"events":[}', "\u0000"]) {
    const error = assertInvalidFrame(() => decodeJsonClientFrame(text));
    assert.ok(error.cause instanceof SyntaxError, JSON.stringify(text));
  }
});

Deno.test("decodeJsonClientFrame() throws INVALID_FRAME for JSON that is not an object", () => {
  for (const text of ["null", "[]", '[{"events":[]}]', "1", '"events"', "true"]) {
    assertInvalidFrame(() => decodeJsonClientFrame(text));
  }
});

Deno.test("decodeJsonClientFrame() throws INVALID_FRAME when the events array is missing", () => {
  for (const text of ["{}", '{"events":null}', '{"events":{}}', '{"events":"e"}', '{"event":[]}']) {
    assertInvalidFrame(() => decodeJsonClientFrame(text));
  }
});

Deno.test("decodeJsonClientFrame() does not take events from the prototype chain", () => {
  assertInvalidFrame(() => decodeJsonClientFrame('{"__proto__":{"events":[{"id":"e","type":"t"}]}}'));
});

Deno.test("decodeJsonClientFrame() turns bad events into INVALID_EVENT rejects and keeps the good ones", () => {
  const frame = decodeJsonClientFrame(JSON.stringify({
    events: [
      { id: "ok-1", type: "a.b" },
      { id: "bad-type", type: "Upper.Case" },
      { id: "", type: "a" },
      { id: 17, type: "a" },
      { type: "a" },
      { id: "no-type" },
      { id: "x".repeat(65), type: "a" },
      { id: "long-type", type: "t".repeat(129) },
      "not an object",
      null,
      [1],
      { id: "ok-2", type: "c", data: [1] },
    ],
  }));
  assert.deepEqual(frame.events, [
    { id: "ok-1", type: "a.b", data: undefined },
    { id: "ok-2", type: "c", data: [1] },
  ]);
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code]), [
    ["bad-type", "INVALID_EVENT"],
    ["", "INVALID_EVENT"],
    ["", "INVALID_EVENT"],
    ["", "INVALID_EVENT"],
    ["no-type", "INVALID_EVENT"],
    ["x".repeat(65), "INVALID_EVENT"],
    ["long-type", "INVALID_EVENT"],
    ["", "INVALID_EVENT"],
    ["", "INVALID_EVENT"],
    ["", "INVALID_EVENT"],
  ]);
  const messages = frame.rejects.map((r) => r.message);
  assert.equal(messages[0], "type may only hold the characters [a-z0-9._-]");
  assert.equal(messages[2], "id must be a string");
  assert.equal(messages[4], "type must be a string");
  assert.equal(messages[7], "event must be a JSON object");
  assert.ok(frame.rejects.every((r) => r.retryAfterMs === undefined));
});

Deno.test("decodeBinaryClientFrame() reads a valid frame", () => {
  const bytes = binaryFrame([
    { id: "e-1", type: "treasure.collected", data: fromJson(ValueSchema, { gold: 3, where: [1, 2] }) },
    { id: "e-2", type: "player.moved" },
  ]);
  assert.deepEqual(decodeBinaryClientFrame(bytes), {
    events: [
      { id: "e-1", type: "treasure.collected", data: { gold: 3, where: [1, 2] } },
      { id: "e-2", type: "player.moved", data: undefined },
    ],
    rejects: [],
  });
});

Deno.test("decodeBinaryClientFrame() reads any JSON value as data", () => {
  const values: JsonValue[] = [{ a: { b: [null, true] } }, [1, "two"], 0, -1.5, "text", "", true, false, null, {}, []];
  for (const data of values) {
    const frame = decodeBinaryClientFrame(binaryFrame([{ id: "e", type: "t", data: fromJson(ValueSchema, data) }]));
    assert.deepEqual(frame, { events: [{ id: "e", type: "t", data }], rejects: [] }, JSON.stringify(data));
  }
});

Deno.test("decodeBinaryClientFrame() reads empty bytes as a frame with no events", () => {
  assert.deepEqual(decodeBinaryClientFrame(new Uint8Array()), { events: [], rejects: [] });
});

Deno.test("decodeBinaryClientFrame() throws INVALID_FRAME for bytes that are not a ClientFrame", () => {
  const garbage = [
    [0xff, 0xff, 0xff],
    [0x0a, 0x05, 0x01],
    [0x0a, 0x02, 0x0a, 0x7f],
    [0x0f],
    new TextEncoder().encode('{"events":[]}'),
  ];
  for (const bytes of garbage) {
    const error = assertInvalidFrame(() => decodeBinaryClientFrame(Uint8Array.from(bytes)));
    assert.match(error.message, /not a protobuf ClientFrame/);
  }
});

Deno.test("decodeBinaryClientFrame() turns bad events into INVALID_EVENT rejects and keeps the good ones", () => {
  const frame = decodeBinaryClientFrame(binaryFrame([
    { id: "ok-1", type: "a" },
    { id: "", type: "a" },
    { id: "bad-type", type: "A" },
    { id: "no-type" },
    { id: "nan", type: "a", data: create(ValueSchema, { kind: { case: "numberValue", value: Number.NaN } }) },
    { id: "unset", type: "a", data: create(ValueSchema) },
    { id: "ok-2", type: "b", data: fromJson(ValueSchema, "x") },
  ]));
  assert.deepEqual(frame.events, [
    { id: "ok-1", type: "a", data: undefined },
    { id: "ok-2", type: "b", data: "x" },
  ]);
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code]), [
    ["", "INVALID_EVENT"],
    ["bad-type", "INVALID_EVENT"],
    ["no-type", "INVALID_EVENT"],
    ["nan", "INVALID_EVENT"],
    ["unset", "INVALID_EVENT"],
  ]);
  assert.equal(frame.rejects[0]?.message, "id must be 1 to 64 characters");
  assert.match(frame.rejects[3]?.message ?? "", /^data is not representable as JSON: /);
  assert.match(frame.rejects[4]?.message ?? "", /^data is not representable as JSON: /);
});

Deno.test("encodeJsonServerFrame() writes only the parts the reply has", () => {
  assert.equal(encodeJsonServerFrame({ acks: ["e-1", "e-2"] }), '{"acks":["e-1","e-2"]}');
  assert.equal(
    encodeJsonServerFrame({ error: { code: "INVALID_FRAME", message: "bad" } }),
    '{"error":{"code":"INVALID_FRAME","message":"bad"}}',
  );
  assert.equal(encodeJsonServerFrame({}), "{}");
});

Deno.test("encodeJsonServerFrame() round-trips through JSON.parse", () => {
  const reply: ServerReply = {
    acks: ["e-1"],
    rejects: [
      { id: "e-2", code: "OVERLOADED", message: "busy", retryAfterMs: 250 },
      { id: "", code: "INVALID_EVENT", message: "event must be a JSON object" },
    ],
    error: { code: "SHUTTING_DOWN", message: "bye" },
  };
  assert.deepEqual(JSON.parse(encodeJsonServerFrame(reply)), reply);
});

Deno.test("encodeBinaryServerFrame() round-trips through protobuf-es fromBinary", () => {
  const reply: ServerReply = {
    acks: ["e-1", "e-3"],
    rejects: [
      { id: "e-2", code: "OVERLOADED", message: "busy", retryAfterMs: 250 },
      { id: "", code: "INVALID_EVENT", message: "event must be a JSON object" },
    ],
    error: { code: "SHUTTING_DOWN", message: "bye" },
  };
  const frame = fromBinary(ServerFrameSchema, encodeBinaryServerFrame(reply));
  assert.deepEqual(frame.acks, ["e-1", "e-3"]);
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code, r.message, r.retryAfterMs]), [
    ["e-2", "OVERLOADED", "busy", 250],
    ["", "INVALID_EVENT", "event must be a JSON object", 0],
  ]);
  assert.equal(frame.error?.code, "SHUTTING_DOWN");
  assert.equal(frame.error?.message, "bye");
});

Deno.test("encodeBinaryServerFrame() leaves out what the reply does not have", () => {
  const acksOnly = fromBinary(ServerFrameSchema, encodeBinaryServerFrame({ acks: ["e-1"] }));
  assert.deepEqual(acksOnly.acks, ["e-1"]);
  assert.deepEqual(acksOnly.rejects, []);
  assert.equal(acksOnly.error, undefined);
  assert.equal(encodeBinaryServerFrame({}).length, 0);
});

Deno.test("decodeJsonClientFrame() rejects an event whose data is nested too deep, and keeps its neighbours", () => {
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const frame = decodeJsonClientFrame(
    `{"events":[{"id":"deep","type":"t","data":${deep}},{"id":"fine","type":"t","data":[[1]]}]}`,
  );
  assert.deepEqual(frame.events.map((e) => e.id), ["fine"]);
  assert.equal(frame.rejects[0]?.id, "deep");
  assert.equal(frame.rejects[0]?.code, "DATA_TOO_DEEP");
});

Deno.test("decodeJsonClientFrame() and decodeBinaryClientFrame() refuse a frame with more events than the limit", () => {
  const events = Array.from({ length: 4 }, (_, i) => ({ id: `e-${i}`, type: "t" }));
  const limits = { maxEvents: 3, maxDataDepth: 32 };
  assert.throws(
    () => decodeJsonClientFrame(JSON.stringify({ events }), limits),
    (e: unknown) => e instanceof VeltrixError && e.code === "TOO_MANY_EVENTS",
  );
  const bytes = toBinary(ClientFrameSchema, create(ClientFrameSchema, { events }));
  assert.throws(
    () => decodeBinaryClientFrame(bytes, limits),
    (e: unknown) => e instanceof VeltrixError && e.code === "TOO_MANY_EVENTS",
  );
  assert.equal(decodeJsonClientFrame(JSON.stringify({ events: events.slice(0, 3) }), limits).events.length, 3);
});
