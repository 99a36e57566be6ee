/**
 * Bounded fuzzing of the client frame codec: the JSON and protobuf frame decoders over arbitrary,
 * generated and mutated input, and the server frame encoders over arbitrary replies.
 *
 * Every run prints how many inputs it tried. fast-check prints the seed and path of a failure;
 * rerun with `FUZZ_SEED=<seed>` to reproduce it.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  create,
  fromBinary,
  fromJson,
  type JsonValue,
  type MessageInitShape,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { type Value, ValueSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { fuzz } from "../testing/fuzz.ts";
import { type ClientFrame, ClientFrameSchema, ServerFrameSchema } from "../../gen/veltrix/v1/event_pb.ts";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  DEFAULT_FRAME_LIMITS,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
} from "./client_frame_codec.ts";
import type { ServerReply } from "./frame_types.ts";
import { type ErrorCode, errorCodes } from "../errors/error_code.ts";
import {
  eventDataProblem,
  eventIdProblem,
  eventTypeProblem,
  MAX_EVENT_ID_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
} from "./event_constraints.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

// ---------------------------------------------------------------------------------------------
// Running

// ---------------------------------------------------------------------------------------------
// The oracle: what the decoders must return, worked out independently of them

const { maxEventsPerFrame, maxDataDepth } = DEFAULT_FRAME_LIMITS;
const TYPE_RULE = new RegExp(`^[a-z0-9._-]{1,${MAX_EVENT_TYPE_LENGTH}}$`);

type Expected =
  | { readonly kind: "event"; readonly id: string; readonly type: string; readonly data: JsonValue | undefined }
  | { readonly kind: "reject"; readonly id: string; readonly code: ErrorCode };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How deeply arrays and objects nest in `value` (a scalar is 0), without recursion. */
function nesting(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > deepest) deepest = depth;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function validId(id: unknown): id is string {
  return typeof id === "string" && id.length >= 1 && id.length <= MAX_EVENT_ID_LENGTH;
}

function validType(type: unknown): type is string {
  return typeof type === "string" && TYPE_RULE.test(type);
}

/** What one item of a JSON frame's events array must become. */
function expectJsonItem(item: unknown): Expected {
  if (!isObject(item)) return { kind: "reject", id: "", code: "INVALID_EVENT" };
  const { id, type, data } = item;
  if (!validId(id) || !validType(type)) {
    return { kind: "reject", id: typeof id === "string" ? id : "", code: "INVALID_EVENT" };
  }
  if (nesting(data) > maxDataDepth) return { kind: "reject", id, code: "DATA_TOO_DEEP" };
  return { kind: "event", id, type, data: data as JsonValue | undefined };
}

/** What one event of a protobuf frame must become. */
function expectBinaryEvent(event: ClientFrame["events"][number]): Expected {
  if (!validId(event.id) || !validType(event.type)) return { kind: "reject", id: event.id, code: "INVALID_EVENT" };
  let data: JsonValue | undefined;
  if (event.data !== undefined) {
    try {
      data = toJson(ValueSchema, event.data);
    } catch {
      return { kind: "reject", id: event.id, code: "INVALID_EVENT" };
    }
  }
  if (nesting(data) > maxDataDepth) return { kind: "reject", id: event.id, code: "DATA_TOO_DEEP" };
  return { kind: "event", id: event.id, type: event.type, data };
}

/** A decoded frame is consistent: valid events, known reject codes, one outcome per item, in order. */
function assertDecodedAsExpected(decoded: DecodedClientFrame, expected: readonly Expected[]): void {
  assert.ok(Array.isArray(decoded.events) && Array.isArray(decoded.rejects), "events and rejects must be arrays");
  assert.equal(decoded.events.length + decoded.rejects.length, expected.length, "one event or reject per item");
  for (const event of decoded.events) {
    assert.equal(eventIdProblem(event.id), undefined);
    assert.equal(eventTypeProblem(event.type), undefined);
    assert.equal(eventDataProblem(event.data), undefined);
  }
  for (const reject of decoded.rejects) {
    assert.ok(reject.code === "INVALID_EVENT" || reject.code === "DATA_TOO_DEEP", `reject code ${reject.code}`);
    assert.equal(typeof reject.id, "string");
    assert.ok(typeof reject.message === "string" && reject.message.length > 0, "a reject says why");
  }
  let e = 0;
  let r = 0;
  for (const want of expected) {
    if (want.kind === "event") {
      const got = decoded.events[e++];
      assert.ok(got !== undefined, `missing event ${JSON.stringify(want.id)}`);
      assert.equal(got.id, want.id);
      assert.equal(got.type, want.type);
      assert.deepEqual(got.data, want.data);
    } else {
      const got = decoded.rejects[r++];
      assert.ok(got !== undefined, `missing reject ${JSON.stringify(want.id)}`);
      assert.equal(got.id, want.id);
      assert.equal(got.code, want.code, got.message);
    }
  }
}

function assertVeltrixError(error: unknown, codes: readonly ErrorCode[]): asserts error is VeltrixError {
  assert.ok(error instanceof VeltrixError, `threw something other than a VeltrixError: ${error}`);
  assert.ok(codes.includes(error.code), `threw ${error.code}: ${error.message}`);
}

/** Decodes `text` and checks the outcome against JSON.parse and the event rules. */
function checkJsonFrame(text: string): void {
  let parsed: unknown;
  let parses = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    parses = false;
  }
  const list = parses && isObject(parsed) ? parsed.events : undefined;
  let decoded: DecodedClientFrame;
  try {
    decoded = decodeJsonClientFrame(text);
  } catch (error) {
    assertVeltrixError(error, ["INVALID_FRAME", "TOO_MANY_EVENTS"]);
    if (error.code === "TOO_MANY_EVENTS") {
      assert.ok(Array.isArray(list) && list.length > maxEventsPerFrame, "TOO_MANY_EVENTS for a frame within the limit");
    } else {
      assert.ok(!Array.isArray(list), "INVALID_FRAME for a JSON object with an events array");
    }
    return;
  }
  assert.ok(Array.isArray(list), "decoded a frame that is not a JSON object with an events array");
  assert.ok(list.length <= maxEventsPerFrame, "decoded a frame with too many events");
  assertDecodedAsExpected(decoded, list.map(expectJsonItem));
}

/** Decodes `bytes` and checks the outcome against protobuf-es fromBinary and the event rules. */
function checkBinaryFrame(bytes: Uint8Array): void {
  let frame: ClientFrame | undefined;
  try {
    frame = fromBinary(ClientFrameSchema, bytes);
  } catch {
    frame = undefined;
  }
  let decoded: DecodedClientFrame;
  try {
    decoded = decodeBinaryClientFrame(bytes);
  } catch (error) {
    assertVeltrixError(error, ["INVALID_FRAME", "TOO_MANY_EVENTS"]);
    if (error.code === "TOO_MANY_EVENTS") {
      assert.ok(
        frame !== undefined && frame.events.length > maxEventsPerFrame,
        "TOO_MANY_EVENTS for a frame within the limit",
      );
    } else {
      assert.equal(frame, undefined, "INVALID_FRAME for bytes that protobuf-es reads as a ClientFrame");
    }
    return;
  }
  assert.ok(frame !== undefined, "decoded bytes that protobuf-es refuses");
  assert.ok(frame.events.length <= maxEventsPerFrame, "decoded a frame with too many events");
  assertDecodedAsExpected(decoded, frame.events.map(expectBinaryEvent));
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const utf16 = (maxLength: number) => fc.string({ unit: codeUnit, maxLength });
/** Text made mostly of the characters JSON is built from, so that some of it parses. */
const jsonish = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'{}[]":,0123456789.eE+- \\/untrlfas') },
    { weight: 1, arbitrary: fc.constantFrom('"events"', '"id"', '"type"', '"data"', "true", "null", "\\u0000") },
    { weight: 1, arbitrary: codeUnit },
  ),
  maxLength: 80,
});
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  utf16(60),
  jsonish,
  fc.json(),
);

/** Ids: valid, at and around the length limit, astral (two code units each), empty, lone surrogates. */
const idString = fc.oneof(
  { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => "i".repeat(n)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: utf16(8) },
  { weight: 1, arbitrary: fc.constant("") },
);
/** Types: valid, at and around the length limit, and with characters outside [a-z0-9._-]. */
const typeString = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,24}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 125, max: 131 }).map((n) => "t".repeat(n)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-zA-Z0-9._ \-*/:]{0,12}$/) },
  { weight: 1, arbitrary: utf16(6) },
);

/** Array and object wrappers nested `depth` deep around a leaf, as JSON text, built without recursion. */
function nestedText(kinds: readonly boolean[], leaf: string): string {
  let open = "";
  let close = "";
  for (const asObject of kinds) {
    open += asObject ? '{"k":' : "[";
    close = (asObject ? "}" : "]") + close;
  }
  return open + leaf + close;
}
/** Data nested around the depth limit, and now and then thousands of levels deep. */
const deepText = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.boolean(), { minLength: maxDataDepth - 3, maxLength: maxDataDepth + 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => Array<boolean>(n).fill(false)) },
).map((kinds) => nestedText(kinds, "0"));

/** Bushy random JSON built with letrec, deeper than fc.jsonValue goes by default. */
const { tree } = fc.letrec<{ tree: JsonValue }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 40 },
    fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null)),
    fc.array(tie("tree"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "__proto__", "constructor"), tie("tree"), { maxKeys: 3 }),
  ),
}));

/** Numbers JSON allows that JavaScript cannot hold exactly. */
const hugeNumber = fc.constantFrom(
  "123456789012345678901234567890",
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "9007199254740993",
  "0.1e99999",
);

const dataText = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: deepText },
  { weight: 2, arbitrary: tree.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: hugeNumber },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => `{"__proto__":${JSON.stringify(v)}}`) },
);
const anyValueText = fc.oneof(
  idString.map((s) => JSON.stringify(s)),
  typeString.map((s) => JSON.stringify(s)),
  dataText,
  hugeNumber,
);
const keyText = fc.oneof(
  fc.constantFrom("id", "type", "data", "__proto__", "constructor", "toString", "events", "ID"),
  fc.string({ maxLength: 5 }),
);

type Entry = readonly [string, string];
const objectText = (entries: readonly Entry[]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;

/** An event object as JSON text: usually id, type and data, sometimes missing, overridden or with extra keys. */
const eventText = fc.record({
  before: fc.array(fc.tuple(keyText, anyValueText), { maxLength: 2 }),
  id: fc.option(fc.oneof({ weight: 6, arbitrary: idString.map((s) => JSON.stringify(s)) }, anyValueText), {
    freq: 8,
  }),
  type: fc.option(fc.oneof({ weight: 6, arbitrary: typeString.map((s) => JSON.stringify(s)) }, anyValueText), {
    freq: 8,
  }),
  data: fc.option(dataText, { freq: 2 }),
  after: fc.array(fc.tuple(keyText, anyValueText), { maxLength: 1 }),
}).map(({ before, id, type, data, after }) => {
  const entries: Entry[] = [...before];
  if (id !== null) entries.push(["id", id]);
  if (type !== null) entries.push(["type", type]);
  if (data !== null) entries.push(["data", data]);
  return objectText([...entries, ...after]);
});
const itemText = fc.oneof(
  { weight: 8, arbitrary: eventText },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: deepText },
);

/** Whole frames: an events array of generated items, with extra top-level keys now and then. */
const frameText = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      items: fc.array(itemText, { maxLength: 6 }),
      extra: fc.array(fc.tuple(keyText, anyValueText), { maxLength: 2 }),
      extraFirst: fc.boolean(),
    }).map(({ items, extra, extraFirst }) => {
      const events: Entry = ["events", `[${items.join(",")}]`];
      return objectText(extraFirst ? [...extra, events] : [events, ...extra]);
    }),
  },
  // Right at the event count limit, in cheap items.
  {
    weight: 1,
    arbitrary: fc.integer({ min: maxEventsPerFrame - 2, max: maxEventsPerFrame + 2 }).map((n) =>
      `{"events":[${Array<string>(n).fill('{"id":"x","type":"t"}').join(",")}]}`
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: tree.map((v) => JSON.stringify({ events: v })) },
  { weight: 1, arbitrary: deepText.map((t) => `{"events":${t}}`) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => `{"__proto__":{"events":[${JSON.stringify(v)}]}}`) },
);

/** A valid JSON frame, as a mutation starting point. */
const validJsonFrame = fc.array(
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    type: fc.stringMatching(/^[a-z0-9._-]{1,16}$/),
    data: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 4 },
).map((events) => JSON.stringify({ events }));

type Edit = { readonly op: "flip" | "insert" | "delete" | "truncate"; readonly at: number; readonly unit: number };
const edits = fc.array(
  fc.record({
    op: fc.constantFrom("flip", "flip", "insert", "delete", "truncate"),
    at: fc.nat(),
    unit: fc.oneof(fc.constantFrom(...'{}[]":,0-.e\\'.split("").map((c) => c.charCodeAt(0))), fc.nat({ max: 0xffff })),
  }) as fc.Arbitrary<Edit>,
  { minLength: 1, maxLength: 4 },
);

function mutateText(text: string, changes: readonly Edit[]): string {
  let out = text;
  for (const { op, at, unit } of changes) {
    const i = at % (out.length + 1);
    const c = String.fromCharCode(unit);
    if (op === "flip") out = out.slice(0, i) + c + out.slice(i + 1);
    else if (op === "insert") out = out.slice(0, i) + c + out.slice(i);
    else if (op === "delete") out = out.slice(0, i) + out.slice(i + 1);
    else if (i > 0) out = out.slice(0, i);
  }
  return out;
}

function mutateBytes(bytes: Uint8Array, changes: readonly Edit[]): Uint8Array {
  const out = [...bytes];
  for (const { op, at, unit } of changes) {
    const i = at % (out.length + 1);
    const byte = unit & 0xff;
    if (op === "flip") {
      if (i < out.length) out[i] = out[i]! ^ (1 << (unit & 7));
      else out.push(byte);
    } else if (op === "insert") out.splice(i, 0, byte);
    else if (op === "delete") out.splice(i, 1);
    else if (i > 0) out.length = i;
  }
  return new Uint8Array(out);
}

/** Event data as a google.protobuf.Value, including values JSON cannot hold and deep nesting. */
const valueMessage: fc.Arbitrary<Value> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => fromJson(ValueSchema, v as JsonValue)) },
  {
    weight: 2,
    // Each JSON level is two or three messages deep, so this crosses protobuf-es's recursion limit of 100.
    arbitrary: fc.array(fc.boolean(), { minLength: maxDataDepth - 3, maxLength: 60 }).map((kinds) =>
      fromJson(ValueSchema, JSON.parse(nestedText(kinds, "0")))
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(NaN, Infinity, -Infinity).map((value) =>
      create(ValueSchema, { kind: { case: "numberValue", value } })
    ),
  },
  { weight: 1, arbitrary: fc.constant(create(ValueSchema)) },
);

const validBinaryFrame = fc.array(
  fc.record({ id: idString, type: typeString, data: fc.option(valueMessage, { nil: undefined }) }),
  { maxLength: 5 },
).map((events) =>
  toBinary(ClientFrameSchema, create(ClientFrameSchema, { events } as MessageInitShape<typeof ClientFrameSchema>))
);

// ---------------------------------------------------------------------------------------------
// Properties

Deno.test("decodeJsonClientFrame() on arbitrary text returns a consistent frame or throws INVALID_FRAME", () => {
  const texts = fc.oneof(
    { weight: 2, arbitrary: anyText },
    { weight: 1, arbitrary: anyText.map((t) => `{"events":[${t}]}`) },
    { weight: 1, arbitrary: anyText.map((t) => `{"events":[{"id":"e-1","type":"player.moved","data":${t}}]}`) },
  );
  fuzz("arbitrary texts", 25_000, texts, checkJsonFrame);
});

Deno.test("decodeJsonClientFrame() on generated JSON frames returns a consistent frame or throws a frame error", () => {
  fuzz("generated JSON frames", 20_000, frameText, checkJsonFrame);
});

Deno.test("decodeJsonClientFrame() on mutated valid frames returns a consistent frame or throws INVALID_FRAME", () => {
  fuzz("mutated JSON frames", 25_000, fc.tuple(validJsonFrame, edits), ([text, changes]) => {
    checkJsonFrame(mutateText(text, changes));
  });
});

Deno.test("decodeBinaryClientFrame() on valid, mutated, spliced and random bytes agrees with protobuf-es", () => {
  const bytes = fc.oneof(
    { weight: 2, arbitrary: validBinaryFrame },
    { weight: 5, arbitrary: fc.tuple(validBinaryFrame, edits).map(([b, changes]) => mutateBytes(b, changes)) },
    {
      weight: 1,
      arbitrary: fc.tuple(validBinaryFrame, validBinaryFrame, fc.nat()).map(([a, b, cut]) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a);
        joined.set(b, a.length);
        return cut % 3 === 0 ? joined.subarray(0, cut % (joined.length + 1)) : joined;
      }),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 128 }) },
    // Right at the event count limit.
    {
      weight: 1,
      arbitrary: fc.integer({ min: maxEventsPerFrame - 2, max: maxEventsPerFrame + 2 }).map((n) =>
        toBinary(ClientFrameSchema, create(ClientFrameSchema, { events: Array(n).fill({ id: "x", type: "t" }) }))
      ),
    },
  );
  fuzz("protobuf frames", 25_000, bytes, checkBinaryFrame);
});

Deno.test("encodeJsonServerFrame() and encodeBinaryServerFrame() never throw and round-trip any reply", () => {
  const codes = Object.keys(errorCodes) as ErrorCode[];
  const code = fc.constantFrom(...codes);
  const retryAfterMs = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
    // Not a uint32, as the wire field is: fractions, negatives, too large, NaN and infinities.
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
  );
  const reply: fc.Arbitrary<ServerReply> = fc.record({
    acks: fc.array(utf16(20), { maxLength: 5 }),
    rejects: fc.array(
      fc.record({ id: utf16(20), code, message: utf16(40), retryAfterMs }, {
        requiredKeys: ["id", "code", "message"],
        noNullPrototype: true,
      }),
      { maxLength: 5 },
    ),
    error: fc.record({ code, message: utf16(40) }, { noNullPrototype: true }),
  }, { requiredKeys: [], noNullPrototype: true });
  const isUint32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff && !Object.is(n, -0);
  const utf8 = { encoder: new TextEncoder(), decoder: new TextDecoder("utf-8", { ignoreBOM: true }) };
  const wellFormed = (s: string) => utf8.decoder.decode(utf8.encoder.encode(s));
  fuzz("server replies", 10_000, reply, (r) => {
    const json = JSON.parse(encodeJsonServerFrame(r));
    assert.deepEqual(json.acks, r.acks);
    assert.deepEqual(json.error, r.error);
    assert.deepEqual(
      json.rejects?.map((x: { id: string; code: string; message: string }) => [x.id, x.code, x.message]),
      r.rejects?.map((x) => [x.id, x.code, x.message]),
    );
    const frame = fromBinary(ServerFrameSchema, encodeBinaryServerFrame(r));
    assert.deepEqual(frame.acks, (r.acks ?? []).map(wellFormed));
    assert.deepEqual(
      frame.rejects.map((x) => [x.id, x.code, x.message]),
      (r.rejects ?? []).map((x) => [wellFormed(x.id), x.code, wellFormed(x.message)]),
    );
    frame.rejects.forEach((x, i) => {
      const sent = r.rejects?.[i]?.retryAfterMs ?? 0;
      if (isUint32(sent)) assert.equal(x.retryAfterMs, sent);
      else assert.ok(isUint32(x.retryAfterMs), `retryAfterMs ${sent} became ${x.retryAfterMs}`);
    });
    assert.deepEqual(
      frame.error && [frame.error.code, frame.error.message],
      r.error && [r.error.code, wellFormed(r.error.message)],
    );
  });
});
