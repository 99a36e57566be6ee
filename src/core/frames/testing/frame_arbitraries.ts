/**
 * Test helper: fast-check arbitraries of ClientFrame bytes (valid, with repeated, unknown and
 * mistyped fields, groups, deep nesting, bad UTF-8) and of byte edits that break them.
 *
 * @module
 */
import fc from "fast-check";
import {
  boolValue,
  deepValue,
  msg,
  nullValue,
  numberValue,
  str,
  stringValue,
  varint,
  wire,
  type WireRecord,
} from "./wire_builder.ts";

const textEncoder = new TextEncoder();

/** UTF-8 text, some of it long enough to leave the short-string paths, and bytes that are not UTF-8. */
export const textBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ maxLength: 12 }).map((s) => textEncoder.encode(s)) },
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }).map((s) => textEncoder.encode(s)) },
  { weight: 2, arbitrary: fc.integer({ min: 30, max: 140 }).map((n) => textEncoder.encode("s".repeat(n))) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 140 }), fc.string({ unit: "grapheme", maxLength: 3 })).map((
      [n, tail],
    ) => textEncoder.encode("s".repeat(n) + tail)),
  },
  // Byte-order mark, overlong forms, lone continuation bytes, encoded surrogates, truncated sequences.
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      [0xef, 0xbb, 0xbf, 0x61],
      [0xc0, 0xaf],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
      [0xf4, 0x90, 0x80, 0x80],
      [0x61, 0xff],
    ).map((b) => Uint8Array.from(b)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) },
);

/** Keys that collide, sort as array indexes, or are special to JavaScript objects. */
const keyBytes = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "b", "0", "1", "10", "__proto__", "constructor", "", "toString") },
  { weight: 1, arbitrary: textBytes },
).map((k) => typeof k === "string" ? textEncoder.encode(k) : k);

const anyVarint = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 127n, 128n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

/** A group of unknown records, nested `levels` deep. */
function unknownGroup(levels: number): fc.Arbitrary<WireRecord> {
  return fc.tuple(fc.integer({ min: 7, max: 40 }), fc.array(scalarRecord(7), { maxLength: 2 })).map(([f, inner]) => {
    let group: WireRecord = { f, group: inner };
    for (let i = 1; i < levels; i++) group = { f: f + (i % 3), group: [group] };
    return group;
  });
}

/** A record of any wire type but a group, with a field number from `first` up. */
function scalarRecord(first: number): fc.Arbitrary<WireRecord> {
  const f = fc.integer({ min: first, max: first + 30 });
  return fc.oneof(
    fc.tuple(f, anyVarint).map(([f, v]) => ({ f, varint: v })),
    fc.tuple(f, fc.double()).map(([f, d]) => ({ f, double: d })),
    fc.tuple(f, fc.integer({ min: 0, max: 0xffff_ffff })).map(([f, n]) => ({ f, fixed32: n })),
    fc.tuple(f, textBytes).map(([f, b]) => ({ f, bytes: b })),
  );
}

/** A field this message does not know: any wire type, groups nested a few levels deep now and then. */
const unknownRecord: fc.Arbitrary<WireRecord> = fc.oneof(
  { weight: 4, arbitrary: scalarRecord(7) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).chain(unknownGroup) },
);

/** A known field number sent with a wire type other than its own. */
function mistyped(fields: readonly number[]): fc.Arbitrary<WireRecord> {
  const f = fc.constantFrom(...fields);
  return fc.oneof(
    fc.tuple(f, anyVarint).map(([f, v]) => ({ f, varint: v })),
    fc.tuple(f, fc.double()).map(([f, d]) => ({ f, double: d })),
    fc.tuple(f, fc.integer({ min: 0, max: 0xffff_ffff })).map(([f, n]) => ({ f, fixed32: n })),
    fc.tuple(f, textBytes).map(([f, b]) => ({ f, bytes: b })),
    fc.tuple(f, fc.array(scalarRecord(1), { maxLength: 2 })).map(([f, group]) => ({ f, group })),
  );
}

/** google.protobuf.Value, Struct and ListValue bodies: mostly well formed, with every kind of oddity. */
const { value: valueFields } = fc.letrec<{
  value: WireRecord[];
  struct: WireRecord[];
  entry: WireRecord[];
  list: WireRecord[];
}>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 6 },
    // One kind, as an encoder writes it.
    {
      weight: 8,
      arbitrary: fc.oneof(
        fc.constant<WireRecord[]>([nullValue()]),
        fc.oneof(fc.double(), fc.integer()).map((n) => [numberValue(n)]),
        textBytes.map((b) => [stringValue(b)]),
        fc.boolean().map((b) => [boolValue(b)]),
        tie("struct").map((s) => [msg(5, ...s)]),
        tie("list").map((l) => [msg(6, ...l)]),
      ),
    },
    // Several kinds, repeated kinds (merged), unknown and mistyped fields, or none at all.
    {
      weight: 3,
      arbitrary: fc.array(
        fc.oneof(
          { weight: 2, arbitrary: anyVarint.map((v) => varint(1, v)) },
          { weight: 2, arbitrary: fc.double().map(numberValue) },
          { weight: 2, arbitrary: textBytes.map(stringValue) },
          { weight: 2, arbitrary: anyVarint.map((v) => varint(4, v)) },
          { weight: 3, arbitrary: tie("struct").map((s) => msg(5, ...s)) },
          { weight: 3, arbitrary: tie("list").map((l) => msg(6, ...l)) },
          { weight: 1, arbitrary: unknownRecord },
          { weight: 1, arbitrary: mistyped([1, 2, 3, 4]) },
        ),
        { maxLength: 4 },
      ),
    },
  ),
  struct: fc.array(
    fc.oneof({ weight: 8, arbitrary: tie("entry").map((e) => msg(1, ...e)) }, { weight: 1, arbitrary: unknownRecord }),
    { maxLength: 4 },
  ),
  entry: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(keyBytes, tie("value")).map(([k, v]) => [str(1, k), msg(2, ...v)]) },
    // Value before key, key or value repeated or missing, unknown fields.
    {
      weight: 2,
      arbitrary: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: keyBytes.map((k) => str(1, k)) },
          { weight: 3, arbitrary: tie("value").map((v) => msg(2, ...v)) },
          { weight: 1, arbitrary: unknownRecord },
        ),
        { maxLength: 4 },
      ),
    },
  ),
  list: fc.array(
    fc.oneof({ weight: 8, arbitrary: tie("value").map((v) => msg(1, ...v)) }, { weight: 1, arbitrary: unknownRecord }),
    { maxLength: 4 },
  ),
}));

/** Data nested around the depth limits: the data depth limit (32) and protobuf-es's 100 messages. */
const deepData: fc.Arbitrary<WireRecord[]> = fc.tuple(
  fc.oneof(fc.integer({ min: 28, max: 36 }), fc.integer({ min: 46, max: 50 })),
  fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }),
  fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) }),
).map(([levels, kinds, groups]) => deepValue(levels, (level) => kinds[level - 1]!, groups));

/** Event ids: valid, long, empty, not UTF-8. */
const idBytes = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,40}$/).map((s) => textEncoder.encode(s)) },
  { weight: 1, arbitrary: fc.integer({ min: 62, max: 66 }).map((n) => textEncoder.encode("i".repeat(n))) },
  { weight: 2, arbitrary: textBytes },
);
/** Event types: valid, not [a-z0-9._-], not UTF-8. */
const typeBytes = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,20}$/).map((s) => textEncoder.encode(s)) },
  { weight: 2, arbitrary: textBytes },
);

/** Traceparents: valid, nearly valid (an all-zero id, upper case), any text, not UTF-8. */
const traceparentBytes = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[0-9a-f]{16}$/))
      .map(([trace, span]) => textEncoder.encode(`00-${trace}-${span}-01`)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(`00-${"0".repeat(32)}-00f067aa0ba902b7-01`, `00-${"A".repeat(32)}-00f067aa0ba902b7-01`)
      .map((s) => textEncoder.encode(s)),
  },
  { weight: 2, arbitrary: textBytes },
);
/** Tracestates: valid, too long, any text, not UTF-8. */
const tracestateBytes = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z]{1,8}=[a-z0-9]{1,16}$/).map((s) => textEncoder.encode(s)) },
  { weight: 1, arbitrary: fc.constant(textEncoder.encode("k=" + "v".repeat(600))) },
  { weight: 2, arbitrary: textBytes },
);

/** An Event body: usually id, type and data in order, now and then repeated, unknown or mistyped fields. */
const eventFields: fc.Arbitrary<WireRecord[]> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(idBytes, typeBytes, fc.option(fc.oneof({ weight: 5, arbitrary: valueFields }, deepData)))
      .map(([id, type, data]) => [str(1, id), str(2, type), ...(data === null ? [] : [msg(3, ...data)])]),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(idBytes, typeBytes, traceparentBytes, fc.option(tracestateBytes))
      .map((
        [id, type, parent, state],
      ) => [str(1, id), str(2, type), str(4, parent), ...(state === null ? [] : [str(5, state)])]),
  },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.oneof(
        { weight: 2, arbitrary: idBytes.map((b) => str(1, b)) },
        { weight: 2, arbitrary: typeBytes.map((b) => str(2, b)) },
        { weight: 3, arbitrary: valueFields.map((v) => msg(3, ...v)) },
        { weight: 1, arbitrary: traceparentBytes.map((b) => str(4, b)) },
        { weight: 1, arbitrary: tracestateBytes.map((b) => str(5, b)) },
        { weight: 1, arbitrary: unknownRecord },
        { weight: 1, arbitrary: mistyped([1, 2, 3, 4, 5]) },
      ),
      { maxLength: 6 },
    ),
  },
);

/** ClientFrame bodies as wire records. */
export const frameRecords: fc.Arbitrary<WireRecord[]> = fc.array(
  fc.oneof(
    { weight: 10, arbitrary: eventFields.map((e) => msg(1, ...e)) },
    { weight: 1, arbitrary: textBytes.map((b) => str(2, b)) },
    { weight: 1, arbitrary: unknownRecord },
    { weight: 1, arbitrary: mistyped([1, 2]) },
  ),
  { minLength: 1, maxLength: 5 },
);

/** ClientFrame bytes built from generated records. */
export const frameBytes: fc.Arbitrary<Uint8Array> = frameRecords.map(wire);

type Edit = {
  readonly op: "flip" | "set" | "insert" | "delete" | "truncate";
  readonly at: number;
  readonly byte: number;
};

/** Up to four byte edits: bit flips, bytes set, inserted or deleted, a cut. */
export const edits: fc.Arbitrary<readonly Edit[]> = fc.array(
  fc.record({
    op: fc.constantFrom("flip", "flip", "set", "insert", "delete", "truncate"),
    at: fc.nat(),
    byte: fc.oneof(fc.constantFrom(0x00, 0x01, 0x02, 0x07, 0x0a, 0x0b, 0x0c, 0x7f, 0x80, 0xff), fc.nat({ max: 255 })),
  }) as fc.Arbitrary<Edit>,
  { minLength: 1, maxLength: 4 },
);

/** `bytes` with `changes` applied. */
export function mutate(bytes: Uint8Array, changes: readonly Edit[]): Uint8Array {
  const out = [...bytes];
  for (const { op, at, byte } of changes) {
    const i = at % (out.length + 1);
    if (op === "flip") {
      if (i < out.length) out[i] = out[i]! ^ (1 << (byte & 7));
      else out.push(byte);
    } else if (op === "set") {
      if (i < out.length) out[i] = byte;
    } else if (op === "insert") out.splice(i, 0, byte);
    else if (op === "delete") out.splice(i, 1);
    else if (i > 0) out.length = i;
  }
  return new Uint8Array(out);
}
