/**
 * Test helper: the cases every client-frame decoder must answer alike, whatever the encoding. A
 * case is a frame as a client means it (events with string ids and types and JSON data, which JSON
 * and protobuf can both say) and what decoding it gives. Each decoder's test encodes the frame
 * its own way and calls {@link runClientFrameCases}: the JSON decoder and the hand-written binary
 * decoder (`client_frame_codec_test.ts`), and the protobuf-es reference (`binary_client_frame_test.ts`).
 * What only one encoding can say (a numeric id, NaN data, broken bytes) stays in that decoder's tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { create, fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema } from "../../../gen/veltrix/v1/event_pb.ts";
import type { DecodedClientFrame, FrameLimits } from "../client_frame_codec.ts";
import type { ErrorCode } from "../../errors/error_code.ts";
import { VeltrixError } from "../../errors/veltrix_error.ts";

/** One event as a client means it, before it is encoded. */
export interface CaseEvent {
  readonly id: string;
  readonly type: string;
  /** Left out of the encoding when undefined. */
  readonly data?: JsonValue;
}

/** A decoder under test: encodes `events` its own way and decodes them with `limits`. */
export type FrameDecoder = (events: readonly CaseEvent[], limits?: FrameLimits) => DecodedClientFrame;

/** One case: a frame, the limits, and what decoding it must give. */
export interface ClientFrameCase {
  /** Reads as the rest of a test name after the decoder's name. */
  readonly name: string;
  readonly events: readonly CaseEvent[];
  readonly limits?: FrameLimits;
  /** The decoded frame, or the frame error thrown. */
  readonly expected: DecodedClientFrame | { readonly throws: ErrorCode; readonly message: string };
}

const limits = (maxEventsPerFrame: number, maxDataDepth: number): FrameLimits => ({ maxEventsPerFrame, maxDataDepth });
const nested = (depth: number): JsonValue => depth === 0 ? 1 : [nested(depth - 1)];
const accepted = (...events: CaseEvent[]): DecodedClientFrame => ({
  events: events.map(({ id, type, data }) => ({ id, type, data })),
  rejects: [],
});
const invalid = (id: string, message: string) => ({ id, code: "INVALID_EVENT" as const, message });
const ID_LENGTH = "id must be 1 to 64 characters";
const TYPE_LENGTH = "type must be 1 to 128 characters";
const TYPE_CHARS = "type may only hold the characters [a-z0-9._-]";
const JSON_VALUES: JsonValue[] = [
  { gold: 3, where: [1, 2], who: { name: "ann", tags: [] } },
  [1, "two", false, null, { a: [] }],
  0,
  -7,
  42.5,
  1e308,
  0.1,
  "text",
  "",
  'é ü 😀 \u0000 "quoted"',
  true,
  false,
  null,
  {},
  [],
  JSON.parse('{"__proto__":{"x":1},"2":"two","1":"one","b":0}'),
];

/** Every case, in the order they run. */
export const clientFrameCases: readonly ClientFrameCase[] = [
  {
    name: "reads every event of a frame in order, with data or without",
    events: [{ id: "e-1", type: "treasure.collected", data: { gold: 3 } }, { id: "e-2", type: "player.moved" }],
    expected: accepted({ id: "e-1", type: "treasure.collected", data: { gold: 3 } }, {
      id: "e-2",
      type: "player.moved",
    }),
  },
  { name: "reads a frame without events as no events and no rejects", events: [], expected: accepted() },
  {
    name: "reads any JSON value as data, keys in object order and __proto__ as an own key",
    events: JSON_VALUES.map((data, i) => ({ id: `e-${i}`, type: "t", data })),
    expected: accepted(...JSON_VALUES.map((data, i) => ({ id: `e-${i}`, type: "t", data }))),
  },
  {
    name: "takes ids of 1 to 64 characters, counted in UTF-16 code units, and rejects others with INVALID_EVENT",
    events: [
      { id: "x".repeat(64), type: "t" },
      { id: "😀".repeat(32), type: "t" },
      { id: "", type: "t" },
      { id: "x".repeat(65), type: "t" },
      { id: "😀".repeat(33), type: "t" },
    ],
    expected: {
      events: [{ id: "x".repeat(64), type: "t", data: undefined }, { id: "😀".repeat(32), type: "t", data: undefined }],
      rejects: [invalid("", ID_LENGTH), invalid("x".repeat(65), ID_LENGTH), invalid("😀".repeat(33), ID_LENGTH)],
    },
  },
  {
    name: "takes types of 1 to 128 of [a-z0-9._-] and rejects others with INVALID_EVENT, echoing the id",
    events: [
      { id: "ok-1", type: "a.b-c_d.9" },
      { id: "ok-2", type: "t".repeat(128) },
      { id: "empty", type: "" },
      { id: "long", type: "t".repeat(129) },
      { id: "upper", type: "Upper.Case" },
      { id: "space", type: "a b" },
      { id: "accent", type: "é" },
    ],
    expected: {
      events: [{ id: "ok-1", type: "a.b-c_d.9", data: undefined }, {
        id: "ok-2",
        type: "t".repeat(128),
        data: undefined,
      }],
      rejects: [
        invalid("empty", TYPE_LENGTH),
        invalid("long", TYPE_LENGTH),
        invalid("upper", TYPE_CHARS),
        invalid("space", TYPE_CHARS),
        invalid("accent", TYPE_CHARS),
      ],
    },
  },
  {
    name: "checks the id before the type",
    events: [{ id: "", type: "BAD" }],
    expected: { events: [], rejects: [invalid("", ID_LENGTH)] },
  },
  {
    name: "keeps the good events beside the rejected ones, each list in frame order",
    events: [
      { id: "a", type: "t" },
      { id: "b", type: "T" },
      { id: "c", type: "t", data: [1] },
      { id: "", type: "t" },
      { id: "d", type: "t" },
    ],
    expected: {
      events: [
        { id: "a", type: "t", data: undefined },
        { id: "c", type: "t", data: [1] },
        { id: "d", type: "t", data: undefined },
      ],
      rejects: [invalid("b", TYPE_CHARS), invalid("", ID_LENGTH)],
    },
  },
  {
    name: "takes data nested exactly maxDataDepth deep and rejects deeper data with DATA_TOO_DEEP",
    limits: limits(500, 3),
    events: [
      { id: "three", type: "t", data: nested(3) },
      { id: "four", type: "t", data: nested(4) },
      { id: "objects", type: "t", data: { a: { b: { c: {} } } } },
      { id: "scalar", type: "t", data: "flat" },
    ],
    expected: {
      events: [{ id: "three", type: "t", data: nested(3) }, { id: "scalar", type: "t", data: "flat" }],
      rejects: [
        { id: "four", code: "DATA_TOO_DEEP", message: "data is nested deeper than 3 levels" },
        { id: "objects", code: "DATA_TOO_DEEP", message: "data is nested deeper than 3 levels" },
      ],
    },
  },
  {
    name: "takes data 32 levels deep by default and rejects 33",
    events: [{ id: "32", type: "t", data: nested(32) }, { id: "33", type: "t", data: nested(33) }],
    expected: {
      events: [{ id: "32", type: "t", data: nested(32) }],
      rejects: [{ id: "33", code: "DATA_TOO_DEEP", message: "data is nested deeper than 32 levels" }],
    },
  },
  {
    name: "takes a frame of exactly maxEventsPerFrame events",
    limits: limits(3, 32),
    events: ["a", "b", "c"].map((id) => ({ id, type: "t" })),
    expected: accepted(...["a", "b", "c"].map((id) => ({ id, type: "t" }))),
  },
  {
    name: "refuses a frame of more than maxEventsPerFrame events with TOO_MANY_EVENTS, whatever the events",
    limits: limits(3, 32),
    events: [{ id: "a", type: "t" }, { id: "", type: "" }, { id: "c", type: "t" }, { id: "d", type: "t" }],
    expected: { throws: "TOO_MANY_EVENTS", message: "frame has 4 events; at most 3 are taken" },
  },
];

/** The JSON text frame of `events`, as a client writes it. */
export function caseFrameAsJson(events: readonly CaseEvent[]): string {
  return JSON.stringify({ events });
}

/** The protobuf `ClientFrame` of `events`, as protobuf-es writes it. */
export function caseFrameAsProtobuf(events: readonly CaseEvent[]): Uint8Array {
  return toBinary(
    ClientFrameSchema,
    create(ClientFrameSchema, {
      events: events.map(({ id, type, data }) => ({
        id,
        type,
        ...(data === undefined ? {} : { data: fromJson(ValueSchema, data) }),
      })),
    }),
  );
}

/** Registers one `Deno.test` per case for `decode`, named `<decoderName> <case name>`. */
export function runClientFrameCases(decoderName: string, decode: FrameDecoder): void {
  for (const testCase of clientFrameCases) {
    Deno.test(`${decoderName} ${testCase.name}`, () => {
      const { expected } = testCase;
      if ("throws" in expected) {
        assert.throws(() => decode(testCase.events, testCase.limits), (error: unknown) => {
          assert.ok(error instanceof VeltrixError, `expected a VeltrixError, got ${error}`);
          assert.equal(error.code, expected.throws);
          assert.equal(error.message, expected.message);
          return true;
        });
        return;
      }
      assert.deepEqual(decode(testCase.events, testCase.limits), expected);
    });
  }
}
