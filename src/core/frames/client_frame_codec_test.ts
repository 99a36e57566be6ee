import assert from "node:assert/strict";
import { create, fromBinary, fromJson, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema, ServerFrameSchema } from "../../gen/veltrix/v1/event_pb.ts";
import {
  decodeBinaryClientFrame,
  decodeJsonClientFrame,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
} from "./client_frame_codec.ts";
import type { ServerReply } from "./frame_types.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";
import { caseFrameAsJson, caseFrameAsProtobuf, runClientFrameCases } from "./testing/client_frame_cases.ts";

runClientFrameCases(
  "decodeJsonClientFrame()",
  (events, limits) => decodeJsonClientFrame(caseFrameAsJson(events), limits),
);
runClientFrameCases(
  "decodeBinaryClientFrame()",
  (events, limits) => decodeBinaryClientFrame(caseFrameAsProtobuf(events), limits),
);

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

Deno.test("decodeJsonClientFrame() rejects events that are not objects or lack a string id or type, and keeps the good ones", () => {
  const frame = decodeJsonClientFrame(JSON.stringify({
    events: [
      { id: "ok-1", type: "a.b" },
      { id: 17, type: "a" },
      { type: "a" },
      { id: "no-type" },
      { id: "numeric-type", type: 7 },
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
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code, r.message]), [
    ["", "INVALID_EVENT", "id must be a string"],
    ["", "INVALID_EVENT", "id must be a string"],
    ["no-type", "INVALID_EVENT", "type must be a string"],
    ["numeric-type", "INVALID_EVENT", "type must be a string"],
    ["", "INVALID_EVENT", "event must be a JSON object"],
    ["", "INVALID_EVENT", "event must be a JSON object"],
    ["", "INVALID_EVENT", "event must be a JSON object"],
  ]);
  assert.ok(frame.rejects.every((r) => r.retryAfterMs === undefined));
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

Deno.test("decodeBinaryClientFrame() rejects events whose data has no JSON form, and keeps the good ones", () => {
  const frame = decodeBinaryClientFrame(binaryFrame([
    { id: "ok-1", type: "a" },
    { id: "nan", type: "a", data: create(ValueSchema, { kind: { case: "numberValue", value: Number.NaN } }) },
    { id: "unset", type: "a", data: create(ValueSchema) },
    { id: "no-type" },
    { id: "ok-2", type: "b", data: fromJson(ValueSchema, "x") },
  ]));
  assert.deepEqual(frame.events, [
    { id: "ok-1", type: "a", data: undefined },
    { id: "ok-2", type: "b", data: "x" },
  ]);
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code]), [
    ["nan", "INVALID_EVENT"],
    ["unset", "INVALID_EVENT"],
    ["no-type", "INVALID_EVENT"],
  ]);
  assert.match(frame.rejects[0]?.message ?? "", /^data is not representable as JSON: /);
  assert.match(frame.rejects[1]?.message ?? "", /^data is not representable as JSON: /);
  assert.equal(frame.rejects[2]?.message, "type must be 1 to 128 characters", 'an unset type reads as ""');
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

Deno.test("decodeJsonClientFrame() keeps a valid traceparent and tracestate, and drops invalid ones without rejecting the event", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const frame = decodeJsonClientFrame(JSON.stringify({
    events: [
      { id: "e-1", type: "a.b", traceparent, tracestate: "rojo=1" },
      { id: "e-2", type: "a.b", traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" },
      { id: "e-3", type: "a.b", traceparent, tracestate: 7 },
      { id: "e-4", type: "a.b", tracestate: "rojo=1" },
    ],
  }));
  assert.deepEqual(frame.rejects, []);
  assert.deepEqual(frame.events, [
    { id: "e-1", type: "a.b", data: undefined, traceparent, tracestate: "rojo=1" },
    { id: "e-2", type: "a.b", data: undefined },
    { id: "e-3", type: "a.b", data: undefined, traceparent },
    { id: "e-4", type: "a.b", data: undefined },
  ]);
});

Deno.test("decodeJsonClientFrame() reads a refresh token, alone or with events, and refuses one that is not a string", () => {
  assert.deepEqual(decodeJsonClientFrame('{"token":"a.b.c"}'), { events: [], rejects: [], token: "a.b.c" });
  const both = decodeJsonClientFrame('{"token":"a.b.c","events":[{"id":"e-1","type":"a.b"}]}');
  assert.equal(both.token, "a.b.c");
  assert.deepEqual(both.events.map((event) => event.id), ["e-1"]);
  assert.equal("token" in decodeJsonClientFrame('{"events":[],"token":""}'), false);
  for (const text of ['{"token":1}', '{"token":null}', '{"token":["a"]}', '{"token":""}']) {
    assertInvalidFrame(() => decodeJsonClientFrame(text));
  }
});

Deno.test("decodeBinaryClientFrame() reads a refresh token (ClientFrame field 2) before or after the events", () => {
  const bytes = toBinary(
    ClientFrameSchema,
    create(ClientFrameSchema, { token: "a.b.c", events: [{ id: "e", type: "t" }] }),
  );
  const frame = decodeBinaryClientFrame(bytes);
  assert.equal(frame.token, "a.b.c");
  assert.deepEqual(frame.events.map((event) => event.id), ["e"]);
  assert.equal("token" in decodeBinaryClientFrame(binaryFrame([{ id: "e", type: "t" }])), false);
});

Deno.test("encodeJsonServerFrame() writes the session reply of a refresh", () => {
  assert.equal(
    encodeJsonServerFrame({ session: { expiresAt: 1_796_000_000 } }),
    '{"session":{"expiresAt":1796000000}}',
  );
  const frame = fromBinary(ServerFrameSchema, encodeBinaryServerFrame({ session: { expiresAt: 1_796_000_000 } }));
  assert.equal(frame.session?.expiresAt, 1_796_000_000);
});
