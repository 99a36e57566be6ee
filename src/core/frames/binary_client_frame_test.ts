import assert from "node:assert/strict";
import { create, fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { ClientFrameSchema } from "../../gen/veltrix/v1/event_pb.ts";
import { assertDecodesLikeProtobufEs, assertReadsLikeProtobufEs } from "./testing/codec_equivalence.ts";
import { frameBytes } from "./testing/frame_arbitraries.ts";
import {
  boolValue,
  deepValue,
  frame,
  listValue,
  msg,
  nestedGroups,
  nullValue,
  numberValue,
  str,
  stringValue,
  structValue,
  varint,
  wire,
  type WireRecord,
} from "./testing/wire_builder.ts";
import { readBinaryClientFrame } from "./binary_client_frame.ts";
import { decodeBinaryClientFrame } from "./client_frame_codec.ts";
import { decodeBinaryClientFrameWithProtobufEs } from "./testing/protobuf_es_codec.ts";
import { caseFrameAsProtobuf, runClientFrameCases } from "./testing/client_frame_cases.ts";

// The reference answers the shared cases too, so that it is held to the contract and not only to itself.
runClientFrameCases(
  "decodeBinaryClientFrameWithProtobufEs()",
  (events, limits) => decodeBinaryClientFrameWithProtobufEs(caseFrameAsProtobuf(events), limits),
);

/** Both checks: the reader against protobuf-es, and the codec against the protobuf-es codec. */
function assertLikeProtobufEs(bytes: Uint8Array): void {
  assertReadsLikeProtobufEs(bytes);
  assertDecodesLikeProtobufEs(bytes);
  assertDecodesLikeProtobufEs(bytes, { maxEventsPerFrame: 1, maxDataDepth: 1 });
}

function dataOf(bytes: Uint8Array): JsonValue | undefined {
  const [event] = readBinaryClientFrame(bytes);
  assert.ok(event !== undefined);
  assert.equal(event.dataProblem, undefined);
  return event.data;
}

const oneEvent = (...data: WireRecord[]) => frame(["e-1", "t", data]);

Deno.test("readBinaryClientFrame() reads ids, types and data of every JSON kind as protobuf-es does", () => {
  const values: JsonValue[] = [
    { gold: 3, where: [1, 2], who: { name: "ann", tags: ["a", null, true] } },
    [1, "two", false, null, [], {}],
    0,
    -0,
    -1.5,
    1e300,
    5e-324,
    "",
    "text",
    "日本語 😀",
    true,
    false,
    null,
    {},
    [],
  ];
  for (const data of values) {
    const bytes = toBinary(
      ClientFrameSchema,
      create(ClientFrameSchema, { events: [{ id: "e-1", type: "a.b", data: fromJson(ValueSchema, data) }] }),
    );
    assertLikeProtobufEs(bytes);
    assert.deepEqual(readBinaryClientFrame(bytes), [
      {
        id: "e-1",
        type: "a.b",
        data,
        dataProblem: undefined,
        depthBound: readBinaryClientFrame(bytes)[0]!.depthBound,
        traceparent: "",
        tracestate: "",
      },
    ]);
  }
  assert.deepEqual(readBinaryClientFrame(frame(["e", "t", undefined]))[0]?.data, undefined);
  assert.deepEqual(readBinaryClientFrame(new Uint8Array()), []);
});

Deno.test("readBinaryClientFrame() merges repeated fields as protobuf does", () => {
  const cases: [WireRecord[], JsonValue][] = [
    // The last scalar wins; a struct or list after another kind starts afresh.
    [[numberValue(1), stringValue("s")], "s"],
    [[structValue(["a", [numberValue(1)]]), numberValue(2)], 2],
    [[numberValue(2), structValue(["a", [numberValue(1)]])], { a: 1 }],
    // A struct after a struct, or a list after a list, is merged into it.
    [[structValue(["a", [numberValue(1)]], ["b", [nullValue()]]), structValue(["a", [boolValue(true)]])], {
      a: true,
      b: null,
    }],
    [[listValue([numberValue(1)]), listValue([numberValue(2)], [nullValue()])], [1, 2, null]],
    [[listValue([numberValue(1)]), structValue(), listValue([numberValue(2)])], [2]],
    // An entry's value given twice is merged too.
    [
      [msg(
        5,
        msg(1, str(1, "k"), msg(2, structValue(["x", [numberValue(1)]])), msg(2, structValue(["y", [nullValue()]]))),
      )],
      {
        k: { x: 1, y: null },
      },
    ],
  ];
  for (const [value, expected] of cases) {
    assertLikeProtobufEs(oneEvent(...value));
    assert.deepEqual(dataOf(oneEvent(...value)), expected);
  }
  // The event's data field given twice is merged, and its id and type are the last given.
  const twice = wire([
    msg(
      1,
      str(1, "a"),
      msg(3, structValue(["x", [numberValue(1)]])),
      str(1, "b"),
      msg(3, structValue(["y", [nullValue()]])),
    ),
  ]);
  assertLikeProtobufEs(twice);
  assert.deepEqual(readBinaryClientFrame(twice)[0]?.id, "b");
  assert.deepEqual(dataOf(twice), { x: 1, y: null });
});

Deno.test("readBinaryClientFrame() orders keys as objects do and keeps __proto__ as an own key", () => {
  const bytes = oneEvent(
    structValue(
      ["b", [numberValue(1)]],
      ["10", [numberValue(2)]],
      ["__proto__", [structValue(["polluted", [boolValue(true)]])]],
      ["a", [numberValue(3)]],
      ["1", [numberValue(4)]],
      ["b", [numberValue(5)]],
      ["constructor", [nullValue()]],
    ),
  );
  assertLikeProtobufEs(bytes);
  const data = dataOf(bytes) as Record<string, JsonValue>;
  assert.deepEqual(Object.keys(data), ["1", "10", "b", "__proto__", "a", "constructor"]);
  assert.equal(data.b, 5);
  assert.ok(Object.hasOwn(data, "__proto__"));
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("readBinaryClientFrame() reads an entry without a key as the key '' and without a value as a problem", () => {
  const noKey = oneEvent(msg(5, msg(1, msg(2, numberValue(1)))));
  assertLikeProtobufEs(noKey);
  assert.deepEqual(dataOf(noKey), { "": 1 });
  const noValue = oneEvent(msg(5, msg(1, str(1, "k"))));
  assertLikeProtobufEs(noValue);
  assert.equal(readBinaryClientFrame(noValue)[0]?.dataProblem, "google.protobuf.Value must have a value");
});

Deno.test("readBinaryClientFrame() reports the first value without a JSON form in toJson's order", () => {
  const cases: [WireRecord[], string][] = [
    [[numberValue(NaN)], "google.protobuf.Value cannot be NaN or Infinity"],
    [[numberValue(-Infinity)], "google.protobuf.Value cannot be NaN or Infinity"],
    [[], "google.protobuf.Value must have a value"],
    [[listValue([numberValue(1)], [numberValue(Infinity)], [])], "google.protobuf.Value cannot be NaN or Infinity"],
    [[listValue([numberValue(1)], [], [numberValue(Infinity)])], "google.protobuf.Value must have a value"],
    // "1" sorts before "b", so its problem comes first.
    [[structValue(["b", [numberValue(NaN)]], ["1", []])], "google.protobuf.Value must have a value"],
    [[structValue(["1", [numberValue(NaN)]], ["b", []])], "google.protobuf.Value cannot be NaN or Infinity"],
  ];
  for (const [value, problem] of cases) {
    assertLikeProtobufEs(oneEvent(...value));
    assert.equal(readBinaryClientFrame(oneEvent(...value))[0]?.dataProblem, problem);
  }
  // A problem that a later field replaces is gone.
  for (
    const value of [[numberValue(NaN), numberValue(1)], [structValue(["a", []]), structValue(["a", [nullValue()]])]]
  ) {
    assertLikeProtobufEs(oneEvent(...value));
    assert.equal(readBinaryClientFrame(oneEvent(...value))[0]?.dataProblem, undefined);
  }
});

Deno.test("readBinaryClientFrame() reads a known field as its declared type whatever its wire type", () => {
  const cases: WireRecord[][] = [
    // id as a varint: protobuf-es reads the varint as the string's length.
    [msg(1, varint(1, 1), { raw: Uint8Array.of(0x61) }, str(2, "t"))],
    [msg(1, { f: 2, double: 1 }, str(1, "e"))],
    [msg(1, str(1, "e"), str(2, "t"), varint(3, 0))],
    [msg(1, str(1, "e"), str(2, "t"), msg(3, str(2, "12345678")))],
    [msg(1, str(1, "e"), str(2, "t"), msg(3, { f: 4, double: 0 }))],
    [msg(1, str(1, "e"), str(2, "t"), msg(3, str(1, "")))],
    [msg(1, str(1, "e"), str(2, "t"), msg(3, varint(5, 0)))],
    [msg(1, str(1, "e"), str(2, "t"), msg(3, { f: 6, group: [] }))],
    [varint(1, 0)],
    [{ f: 1, group: [] }],
  ];
  for (const records of cases) assertLikeProtobufEs(wire(records));
});

Deno.test("readBinaryClientFrame() skips unknown fields at every level, groups included", () => {
  const unknown: WireRecord[] = [
    varint(9, 300),
    { f: 10, double: 1.5 },
    { f: 11, fixed32: 7 },
    str(12, "future"),
    { f: 13, group: [varint(1, 1), { f: 14, group: [str(2, "x")] }] },
  ];
  const bytes = wire([
    ...unknown,
    msg(
      1,
      ...unknown,
      str(1, "e-1"),
      str(2, "t"),
      msg(
        3,
        ...unknown,
        msg(5, ...unknown, msg(1, ...unknown, str(1, "k"), msg(2, msg(6, ...unknown, msg(1, nullValue()))))),
      ),
    ),
  ]);
  assertLikeProtobufEs(bytes);
  assert.deepEqual(dataOf(bytes), { k: [null] });
});

Deno.test("readBinaryClientFrame() refuses malformed bytes with protobuf-es's errors", () => {
  const cases: Uint8Array[] = [
    Uint8Array.of(0xff, 0xff, 0xff),
    Uint8Array.of(0x0a, 0x05, 0x01),
    Uint8Array.of(0x0a, 0x02, 0x0a, 0x7f),
    Uint8Array.of(0x0f),
    Uint8Array.of(0x00),
    Uint8Array.of(0x0e),
    Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
    Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
    wire([{ f: 9, group: [] }, { raw: Uint8Array.of(0x54) }]),
    wire([{ raw: Uint8Array.of(0x4b) }, varint(1, 1), { raw: Uint8Array.of(0x54) }]),
    wire([msg(1, str(1, "e"), { raw: Uint8Array.of(0x1a, 0x02, 0x11, 0x00) })]),
    new TextEncoder().encode('{"events":[]}'),
    // Tags of five bytes that overflow a uint32, and of six bytes.
    Uint8Array.of(0x8a, 0x80, 0x80, 0x80, 0x10, 0x00),
    Uint8Array.of(0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00),
  ];
  for (const bytes of cases) {
    assertLikeProtobufEs(bytes);
    assert.throws(() => readBinaryClientFrame(bytes));
  }
  // A five-byte tag within a uint32 is a tag like any other: an unknown field, skipped.
  for (const tag of [[0xf8, 0xff, 0xff, 0xff, 0x0f], [0x88, 0x80, 0x80, 0x80, 0x00]]) {
    const bytes = Uint8Array.of(...tag, 0x00, ...wire([msg(1, str(1, "e"), str(2, "t"))]));
    assertLikeProtobufEs(bytes);
  }
});

Deno.test("readBinaryClientFrame() refuses invalid UTF-8 in any string and keeps a byte-order mark", () => {
  const bad = Uint8Array.of(0x61, 0xc0, 0xaf);
  const long = new Uint8Array([...new TextEncoder().encode("x".repeat(140)), 0xff]);
  for (const text of [bad, long]) {
    for (
      const bytes of [
        wire([msg(1, str(1, text), str(2, "t"))]),
        wire([msg(1, str(1, "e"), str(2, text))]),
        oneEvent(stringValue(text)),
        oneEvent(msg(5, msg(1, str(1, text), msg(2, nullValue())))),
      ]
    ) {
      assertLikeProtobufEs(bytes);
      assert.throws(() => readBinaryClientFrame(bytes), TypeError);
    }
  }
  const bom = oneEvent(stringValue(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)));
  assertLikeProtobufEs(bom);
  assert.equal(dataOf(bom), "\uFEFFa");
});

Deno.test("readBinaryClientFrame() refuses data nested past protobuf-es's 100 messages, as protobuf-es does", () => {
  // The frame, the event and the data's Value are 3 messages; each JSON level adds 2.
  for (let levels = 44; levels <= 52; levels++) {
    for (const kinds of [() => false, () => true, (level: number) => level % 2 === 0]) {
      const bytes = oneEvent(...deepValue(levels, kinds));
      assertLikeProtobufEs(bytes);
      assert.equal(
        levels <= 48,
        (() => {
          try {
            readBinaryClientFrame(bytes);
            return true;
          } catch {
            return false;
          }
        })(),
      );
    }
  }
  // Unknown groups spend what is left of the budget.
  for (let groups = 0; groups <= 6; groups++) {
    for (const levels of [45, 46, 47, 48]) assertLikeProtobufEs(oneEvent(...deepValue(levels, () => false, groups)));
  }
  // ... in a struct, a map entry or a list at the bottom, too.
  const bottoms = (groups: number): WireRecord[][] => [
    [msg(5, nestedGroups(groups), msg(1, str(1, "k"), msg(2, numberValue(1))))],
    [msg(5, msg(1, str(1, "k"), nestedGroups(groups), msg(2, numberValue(1))))],
    [msg(6, nestedGroups(groups), msg(1, numberValue(1)))],
  ];
  for (let groups = 0; groups <= 7; groups++) {
    for (const bottom of bottoms(groups)) {
      for (const levels of [44, 45, 46, 47]) {
        assertLikeProtobufEs(oneEvent(...deepValue(levels, () => false, 0, bottom)));
      }
    }
  }
  for (let groups = 95; groups <= 100; groups++) {
    assertLikeProtobufEs(wire([nestedGroups(groups)]));
    assertLikeProtobufEs(wire([msg(1, nestedGroups(groups - 1))]));
  }
});

Deno.test("readBinaryClientFrame() agrees with protobuf-es at every cut of frames at the depth limit", () => {
  for (const levels of [48, 49]) {
    const bytes = oneEvent(...deepValue(levels, (level) => level % 2 === 0));
    for (let cut = 0; cut <= bytes.length; cut++) assertLikeProtobufEs(bytes.subarray(0, cut));
  }
});

Deno.test("readBinaryClientFrame() gives a depth bound at least as deep as the data", () => {
  for (const levels of [0, 1, 2, 31, 32, 33, 48]) {
    const [event] = readBinaryClientFrame(oneEvent(...deepValue(levels, (l) => l % 3 === 0)));
    assert.ok(event !== undefined);
    assert.ok(event.depthBound >= levels, `${event.depthBound} for ${levels} levels`);
  }
});

Deno.test("readBinaryClientFrame() agrees with protobuf-es at every cut of a valid frame", () => {
  const bytes = frame(
    ["01890a5d-ac96-774b-bcce-b302099a0001", "treasure.collected", [
      structValue(["gold", [numberValue(40)]], ["where", [listValue([numberValue(1)], [stringValue("é")])]]),
    ]],
    ["e-2", "player.moved", undefined],
  );
  for (let cut = 0; cut <= bytes.length; cut++) assertLikeProtobufEs(bytes.subarray(0, cut));
});

Deno.test("readBinaryClientFrame() agrees with protobuf-es on generated frames", () => {
  fc.assert(fc.property(frameBytes, assertLikeProtobufEs), { numRuns: 1_000 });
});

Deno.test("decodeBinaryClientFrame() applies the event rules and limits as the protobuf-es codec does", () => {
  const bytes = frame(
    ["ok", "a.b", [numberValue(1)]],
    ["", "a", undefined],
    ["bad-type", "A", undefined],
    ["nan", "a", [numberValue(NaN)]],
    ["deep", "a", deepValue(33, () => false)],
    ["deep-nan", "a", [listValue([numberValue(NaN)], deepValue(33, () => false))]],
    ["x".repeat(65), "a", undefined],
  );
  for (
    const limits of [undefined, { maxEventsPerFrame: 7, maxDataDepth: 32 }, { maxEventsPerFrame: 6, maxDataDepth: 32 }]
  ) {
    assertDecodesLikeProtobufEs(bytes, limits);
  }
  for (const maxDataDepth of [-1, 0, 1, 2, 33, NaN, Infinity]) {
    assertDecodesLikeProtobufEs(bytes, { maxEventsPerFrame: 500, maxDataDepth });
  }
  const decoded = decodeBinaryClientFrame(bytes);
  assert.deepEqual(decoded.events.map((e) => e.id), ["ok"]);
  assert.deepEqual(decoded.rejects.map((r) => [r.id, r.code]), [
    ["", "INVALID_EVENT"],
    ["bad-type", "INVALID_EVENT"],
    ["nan", "INVALID_EVENT"],
    ["deep", "DATA_TOO_DEEP"],
    ["deep-nan", "INVALID_EVENT"],
    ["x".repeat(65), "INVALID_EVENT"],
  ]);
});

Deno.test("readBinaryClientFrame() reads traceparent and tracestate as protobuf-es does, and decode keeps only valid ones", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const bytes = toBinary(
    ClientFrameSchema,
    create(ClientFrameSchema, {
      events: [
        { id: "e-1", type: "a.b", traceparent, tracestate: "rojo=1" },
        { id: "e-2", type: "a.b", traceparent: "00-bad", tracestate: "rojo=1" },
        { id: "e-3", type: "a.b", traceparent, tracestate: "not valid" },
      ],
    }),
  );
  assertLikeProtobufEs(bytes);
  assert.deepEqual(readBinaryClientFrame(bytes).map((e) => [e.traceparent, e.tracestate]), [
    [traceparent, "rojo=1"],
    ["00-bad", "rojo=1"],
    [traceparent, "not valid"],
  ]);
  assert.deepEqual(decodeBinaryClientFrame(bytes).events, [
    { id: "e-1", type: "a.b", data: undefined, traceparent, tracestate: "rojo=1" },
    { id: "e-2", type: "a.b", data: undefined },
    { id: "e-3", type: "a.b", data: undefined, traceparent },
  ]);
});
