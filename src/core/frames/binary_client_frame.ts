/**
 * A reader for the `veltrix.v1.ClientFrame` wire format made for the ingest hot path: it reads
 * each event's id and type, and turns its `google.protobuf.Value` data straight into the JSON
 * value, without building protobuf-es messages and converting them with `toJson`.
 *
 * It is built to be indistinguishable from `fromBinary(ClientFrameSchema)` followed by
 * `toJson(ValueSchema)` on each event's data (the tests compare both over valid, mutated and
 * random bytes): it reads with protobuf-es's own `BinaryReader` (tags with a copy of its `tag()`
 * that builds no array), in the same order, so it accepts and refuses the same bytes with the same
 * errors: truncated data, invalid UTF-8 (strings are checked strictly), tags that are not valid,
 * a known field read as its declared type whatever wire type it came with, unknown fields
 * skipped, messages and nested groups at most 100 deep in all. It merges a repeated singular field as protobuf does (the last scalar wins, a repeated
 * struct or list value is merged into the one before it) and builds objects in the same key order,
 * an own `__proto__` key included.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";

/** One event as read from the wire, before the event rules are applied. */
export interface BinaryClientEvent {
  /** "" when the event has no id. */
  readonly id: string;
  /** "" when the event has no type. */
  readonly type: string;
  /** The data as JSON, or undefined when the event has none; meaningless when `dataProblem` is set. */
  readonly data: JsonValue | undefined;
  /** Why the data has no JSON form (as protobuf-es `toJson` words it), or undefined when it has one. */
  readonly dataProblem: string | undefined;
  /**
   * At least as deep as the data nests (arrays and objects; a scalar is 0): when it is within a
   * limit, so is the data.
   */
  readonly depthBound: number;
  /** The W3C traceparent as sent, "" when the event has none (not checked here). */
  readonly traceparent: string;
  /** The W3C tracestate as sent, "" when the event has none (not checked here). */
  readonly tracestate: string;
}

/** A whole ClientFrame as read from the wire: its events, and its refresh token ("" when it has none). */
export interface BinaryClientFrame {
  readonly events: BinaryClientEvent[];
  readonly token: string;
}

/** protobuf-es's default recursion limit: messages and groups nested at most this deep, the frame included. */
const RECURSION_LIMIT = 100;

/** A `google.protobuf.Value` that has no JSON form. Only ever a leaf of the data being built. */
class Unrepresentable {
  constructor(readonly reason: string) {}
}
const UNSET = new Unrepresentable("google.protobuf.Value must have a value");
const NOT_FINITE = new Unrepresentable("google.protobuf.Value cannot be NaN or Infinity");

/** Data as it is being read: JSON, with an {@link Unrepresentable} where a value has no JSON form. */
type Data = JsonValue | Unrepresentable;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Strict UTF-8, as protobuf-es reads every string field of a proto3 message (the reader passes
 * no strictness: it is always strict here). Ids, types and most keys and strings in event data
 * are short ASCII: those become strings directly, which is several times cheaper than a
 * TextDecoder call.
 */
function decodeUtf8(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length > 128) return utf8.decode(bytes);
  // An array of codes is cheaper to spread than the typed array itself.
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return utf8.decode(bytes);
    codes[i] = byte;
  }
  return String.fromCharCode.apply(null, codes);
}

// Reading is synchronous, so module state is safe: the bytes being read (for readTag), and per
// event, while its data is read, whether some value may have no JSON form and how deep
// containers were opened (readEvent resets both).
const EMPTY = new Uint8Array();
let input: Uint8Array = EMPTY;
let suspect = false;
let deepest = 0;

/**
 * Reads ClientFrame bytes into their events, in order. Throws an Error, with the message
 * protobuf-es would give, when the bytes are not a ClientFrame; an event whose data has no JSON
 * form (NaN, an infinity, a Value with no kind) is not an error here, it comes back with
 * `dataProblem` set.
 */
export function readBinaryClientFrame(bytes: Uint8Array): BinaryClientEvent[] {
  return readBinaryClientFrameWithToken(bytes).events;
}

/**
 * Reads ClientFrame bytes into their events and their refresh token (field 2, the last one
 * winning, "" when absent), as {@link readBinaryClientFrame} reads the events.
 */
export function readBinaryClientFrameWithToken(bytes: Uint8Array): BinaryClientFrame {
  const reader = new BinaryReader(bytes, decodeUtf8);
  input = bytes;
  const events: BinaryClientEvent[] = [];
  let token = "";
  try {
    // ClientFrame, at depth 1.
    while (reader.pos < reader.len) {
      const tag = readTag(reader);
      const field = tag >>> 3;
      if (field === 1) events.push(readEvent(reader));
      else if (field === 2) token = reader.string();
      else reader.skip(tag & 7, field, RECURSION_LIMIT - 1);
    }
  } finally {
    input = EMPTY; // do not keep the frame alive
  }
  return { events, token };
}

/** Reads an Event (depth 2). */
function readEvent(reader: BinaryReader): BinaryClientEvent {
  const end = reader.uint32() + reader.pos;
  let id = "";
  let type = "";
  let data: Data | undefined;
  let traceparent = "";
  let tracestate = "";
  suspect = false;
  deepest = 0;
  while (reader.pos < end) {
    const tag = readTag(reader);
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) id = reader.string();
    else if (field === 2) type = reader.string();
    else if (field === 3) data = readValue(reader, 3, data, 1);
    else if (field === 4) traceparent = reader.string();
    else if (field === 5) tracestate = reader.string();
    else reader.skip(wireType, field, RECURSION_LIMIT - 2);
  }
  const dataProblem = data !== undefined && suspect ? firstProblem(data) : undefined;
  return { id, type, data: data as JsonValue | undefined, dataProblem, depthBound: deepest, traceparent, tracestate };
}

/**
 * Reads a google.protobuf.Value at message depth `depth`, merged into `existing` as protobuf
 * merges a repeated message field. `level` is how deep a struct or list read here nests in the
 * data.
 */
function readValue(reader: BinaryReader, depth: number, existing: Data | undefined, level: number): Data {
  // protobuf-es reads the length before it counts the depth.
  const end = reader.uint32() + reader.pos;
  if (depth > RECURSION_LIMIT) throw tooDeep("google.protobuf.Value");
  let value: Data = existing === undefined ? UNSET : existing;
  while (reader.pos < end) {
    const tag = readTag(reader);
    const field = tag >>> 3;
    const wireType = tag & 7;
    switch (field) {
      case 1:
        reader.int32();
        value = null;
        break;
      case 2: {
        const number = reader.double();
        value = Number.isFinite(number) ? number : NOT_FINITE;
        break;
      }
      case 3:
        value = reader.string();
        break;
      case 4:
        value = reader.bool();
        break;
      case 5:
        value = readStruct(reader, depth + 1, isObject(value) ? value : undefined, level);
        break;
      case 6:
        value = readList(reader, depth + 1, Array.isArray(value) ? value : undefined, level);
        break;
      default:
        reader.skip(wireType, field, RECURSION_LIMIT - depth);
    }
  }
  if (value === UNSET || value === NOT_FINITE) suspect = true;
  return value;
}

/** Reads a google.protobuf.Struct into `existing` or a new object. */
function readStruct(reader: BinaryReader, depth: number, existing: JsonObject | undefined, level: number): JsonObject {
  const end = reader.uint32() + reader.pos;
  if (depth > RECURSION_LIMIT) throw tooDeep("google.protobuf.Struct");
  const object: JsonObject = existing ?? {};
  if (level > deepest) deepest = level;
  while (reader.pos < end) {
    const tag = readTag(reader);
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) readEntry(reader, depth, object, level);
    else reader.skip(wireType, field, RECURSION_LIMIT - depth);
  }
  return object;
}

/** Reads one `fields` map entry of a Struct at `depth` (an entry is not a message level of its own). */
function readEntry(reader: BinaryReader, depth: number, object: JsonObject, level: number): void {
  const end = reader.uint32() + reader.pos;
  let key = "";
  let value: Data | undefined;
  while (reader.pos < end) {
    const tag = readTag(reader);
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) key = reader.string();
    else if (field === 2) value = readValue(reader, depth + 1, value, level + 1);
    else reader.skip(wireType, field, RECURSION_LIMIT - depth);
  }
  if (value === undefined) {
    value = UNSET;
    suspect = true;
  }
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value as JsonValue;
  }
}

/** Reads a google.protobuf.ListValue, appending to `existing` or a new array. */
function readList(reader: BinaryReader, depth: number, existing: JsonValue[] | undefined, level: number): JsonValue[] {
  const end = reader.uint32() + reader.pos;
  if (depth > RECURSION_LIMIT) throw tooDeep("google.protobuf.ListValue");
  const list = existing ?? [];
  if (level > deepest) deepest = level;
  while (reader.pos < end) {
    const tag = readTag(reader);
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) list.push(readValue(reader, depth + 1, undefined, level + 1) as JsonValue);
    else reader.skip(wireType, field, RECURSION_LIMIT - depth);
  }
  return list;
}

/**
 * Reads a tag as BinaryReader.tag() does, with the same checks and errors, but returns the raw
 * uint32 (field number << 3 | wire type) instead of a new array.
 */
function readTag(reader: BinaryReader): number {
  const start = reader.pos;
  const tag = reader.uint32();
  const bytesRead = reader.pos - start;
  if (bytesRead > 5 || (bytesRead === 5 && input[reader.pos - 1]! > 0x0f)) {
    throw new Error("illegal tag: varint overflows uint32");
  }
  const field = tag >>> 3;
  const wireType = tag & 7;
  if (field <= 0 || wireType > 5) throw new Error("illegal tag: field no " + field + " wire type " + wireType);
  return tag;
}

function isObject(value: Data): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Unrepresentable);
}

function tooDeep(typeName: string): Error {
  return new Error(
    `cannot decode message ${typeName} from binary: maximum recursion depth of ${RECURSION_LIMIT} reached`,
  );
}

/**
 * The first value without a JSON form, in the order protobuf-es `toJson` visits them (depth
 * first, keys in object order), or undefined when every value has one. Recursion is bounded by
 * the 100-message limit.
 */
function firstProblem(value: Data): string | undefined {
  if (value instanceof Unrepresentable) return value.reason;
  if (typeof value !== "object" || value === null) return undefined;
  const items = Array.isArray(value) ? value : Object.keys(value).map((key) => value[key]);
  for (const item of items) {
    const problem = firstProblem(item as Data);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
