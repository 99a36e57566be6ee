import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { ServerFrameSchema } from "../../gen/veltrix/v1/event_pb.ts";
import { encodeBinaryServerFrameWithProtobufEs } from "./testing/protobuf_es_codec.ts";
import { fuzz } from "../testing/fuzz.ts";
import { writeBinaryServerFrame } from "./binary_server_frame.ts";
import type { ServerReply } from "./frame_types.ts";
import { type ErrorCode, errorCodes } from "../errors/error_code.ts";

function assertSameBytes(reply: ServerReply): void {
  assert.deepEqual(writeBinaryServerFrame(reply), encodeBinaryServerFrameWithProtobufEs(reply), JSON.stringify(reply));
}

Deno.test("writeBinaryServerFrame() writes acks, rejects and an error as protobuf-es toBinary does", () => {
  const reply: ServerReply = {
    acks: ["e-1", "", "01890a5d-ac96-774b-bcce-b302099a0001"],
    rejects: [
      { id: "e-2", code: "OVERLOADED", message: "busy", retryAfterMs: 250 },
      { id: "", code: "INVALID_EVENT", message: "event must be a JSON object" },
    ],
    error: { code: "SHUTTING_DOWN", message: "bye" },
  };
  assertSameBytes(reply);
  const frame = fromBinary(ServerFrameSchema, writeBinaryServerFrame(reply));
  assert.deepEqual(frame.acks, reply.acks);
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code, r.message, r.retryAfterMs]), [
    ["e-2", "OVERLOADED", "busy", 250],
    ["", "INVALID_EVENT", "event must be a JSON object", 0],
  ]);
  assert.deepEqual([frame.error?.code, frame.error?.message], ["SHUTTING_DOWN", "bye"]);
});

Deno.test("writeBinaryServerFrame() writes nothing for an empty reply and an empty error as an empty message", () => {
  assert.deepEqual(writeBinaryServerFrame({}), new Uint8Array());
  assert.deepEqual(writeBinaryServerFrame({ acks: [], rejects: [] }), new Uint8Array());
  assert.deepEqual(writeBinaryServerFrame({ error: { code: "" as ErrorCode, message: "" } }), Uint8Array.of(0x1a, 0));
  assertSameBytes({ error: { code: "" as ErrorCode, message: "" } });
});

Deno.test("writeBinaryServerFrame() rounds and clamps the retry hint to a uint32 as the protobuf-es path does", () => {
  for (const retryAfterMs of [0, -0, 0.2, 1, 127, 128, 16_383, 16_384, 2 ** 31, 0xffff_ffff, 2 ** 32, 1e300, -5]) {
    assertSameBytes({ rejects: [{ id: "e", code: "OVERLOADED", message: "m", retryAfterMs }] });
  }
  for (const retryAfterMs of [NaN, Infinity, -Infinity, undefined]) {
    assertSameBytes({ rejects: [{ id: "e", code: "OVERLOADED", message: "m", retryAfterMs }] });
  }
});

Deno.test("writeBinaryServerFrame() writes text as TextEncoder does: multi-byte, astral, lone surrogates, long", () => {
  const texts = ["é", "€", "日本語", "😀", "a😀b", "\ud800", "\udc00x", "x\ud83d", "\ud83d\ud83d\ude00", "\uFEFF"];
  for (const text of [...texts, "x".repeat(127), "x".repeat(128), "é".repeat(64), "😀".repeat(5_000)]) {
    assertSameBytes({ acks: [text], rejects: [{ id: text, code: "INVALID_EVENT", message: text }] });
    assertSameBytes({ error: { code: "INVALID_FRAME", message: text } });
  }
});

Deno.test("writeBinaryServerFrame() sizes long rejects and many acks with multi-byte length prefixes", () => {
  const acks = Array.from({ length: 3_000 }, (_, i) => `01890a5d-ac96-774b-bcce-b30209${String(i).padStart(6, "0")}`);
  const rejects = acks.slice(0, 500).map((id) => ({
    id,
    code: "RATE_LIMITED" as const,
    message: "sending faster than the rate limit ".repeat(10),
    retryAfterMs: 1_000,
  }));
  assertSameBytes({ acks, rejects, error: { code: "INVALID_FRAME", message: "m".repeat(20_000) } });
});

Deno.test("writeBinaryServerFrame() makes the same bytes as protobuf-es toBinary for any reply", () => {
  const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const text = fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.integer({ min: 120, max: 140 }).map((n) => "é".repeat(n >> 1) + "x".repeat(n & 1)) },
  );
  const code = fc.oneof(
    fc.constantFrom(...Object.keys(errorCodes) as ErrorCode[]),
    text.map((t) => t as ErrorCode),
  );
  const retryAfterMs = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
  );
  const reply: fc.Arbitrary<ServerReply> = fc.record({
    acks: fc.array(text, { maxLength: 30 }),
    rejects: fc.array(
      fc.record({ id: text, code, message: text, retryAfterMs }, { requiredKeys: ["id", "code", "message"] }),
      { maxLength: 8 },
    ),
    error: fc.record({ code, message: text }),
    session: fc.record({ expiresAt: retryAfterMs }),
  }, { requiredKeys: [] });
  fuzz("server replies against protobuf-es", 5_000, reply, assertSameBytes);
});

Deno.test("writeBinaryServerFrame() writes ASCII replies and replies with other text alike, in any order", () => {
  const ascii: ServerReply = {
    acks: ["a".repeat(127), "b".repeat(128), "c".repeat(16_384)],
    rejects: [{ id: "d", code: "OVERLOADED", message: "m".repeat(120), retryAfterMs: 128 }],
    error: { code: "INVALID_FRAME", message: "e".repeat(200) },
  };
  const latin1: ServerReply = { ...ascii, error: { code: "INVALID_FRAME", message: "ÿ" } };
  const lastAck: ServerReply = { acks: ["a", "b", "\u0080"] };
  for (const reply of [ascii, latin1, lastAck, ascii, { acks: ["\0"] }, lastAck, { acks: ["x"] }]) {
    assertSameBytes(reply);
  }
});

Deno.test("writeBinaryServerFrame() never reuses the bytes of a frame it returned", () => {
  const first = writeBinaryServerFrame({ acks: ["e-1"] });
  const copy = first.slice();
  for (let i = 0; i < 20_000; i++) writeBinaryServerFrame({ acks: [`e-${i}`, "é"] });
  assert.deepEqual(first, copy);
});

Deno.test("writeBinaryServerFrame() does not let one reply's sizes leak into the next", () => {
  const long = { acks: Array.from({ length: 50 }, (_, i) => "é".repeat(i)) };
  const short: ServerReply = { rejects: [{ id: "a", code: "NO_ROUTE", message: "b" }] };
  assertSameBytes(long);
  assertSameBytes(short);
  assertSameBytes(long);
});

Deno.test("writeBinaryServerFrame() writes a session reply (a refresh taken) as protobuf-es toBinary does", () => {
  for (const expiresAt of [0, 1, 127, 128, 1_796_000_000, 0xffff_ffff, 2 ** 33, -1, NaN]) {
    assertSameBytes({ session: { expiresAt } });
    assertSameBytes({ acks: ["é"], session: { expiresAt } });
  }
  const frame = fromBinary(
    ServerFrameSchema,
    writeBinaryServerFrame({ acks: ["e-1"], session: { expiresAt: 1_796_000_000 } }),
  );
  assert.equal(frame.session?.expiresAt, 1_796_000_000);
  assert.deepEqual(frame.acks, ["e-1"]);
});
