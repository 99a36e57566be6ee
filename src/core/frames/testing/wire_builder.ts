/**
 * Test helper: a small protobuf wire-format builder for ClientFrame-shaped bytes, well formed or
 * not (raw bytes, groups, any field number with any wire type), with shorthands for
 * google.protobuf.Value bodies.
 *
 * @module
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/** One field record on the wire, or raw bytes (to write what no encoder would). */
export type WireRecord =
  | { readonly f: number; readonly varint: bigint }
  | { readonly f: number; readonly double: number }
  | { readonly f: number; readonly fixed32: number }
  | { readonly f: number; readonly bytes: Uint8Array }
  | { readonly f: number; readonly message: readonly WireRecord[] }
  | { readonly f: number; readonly group: readonly WireRecord[] }
  | { readonly raw: Uint8Array };

const textEncoder = new TextEncoder();

/** A length-delimited field holding `text` as UTF-8, or the given bytes. */
export function str(f: number, text: string | Uint8Array): WireRecord {
  return { f, bytes: typeof text === "string" ? textEncoder.encode(text) : text };
}

/** A length-delimited field holding a message made of `records`. */
export function msg(f: number, ...records: WireRecord[]): WireRecord {
  return { f, message: records };
}

/** A varint field. */
export function varint(f: number, value: bigint | number): WireRecord {
  return { f, varint: BigInt(value) };
}

/** Writes records as protobuf wire bytes. */
export function wire(records: readonly WireRecord[]): Uint8Array {
  const w = new BinaryWriter();
  writeRecords(w, records);
  return w.finish();
}

function writeRecords(w: BinaryWriter, records: readonly WireRecord[]): void {
  for (const record of records) {
    if ("raw" in record) w.raw(record.raw);
    else if ("varint" in record) w.tag(record.f, WireType.Varint).uint64(BigInt.asUintN(64, record.varint));
    else if ("double" in record) w.tag(record.f, WireType.Bit64).double(record.double);
    else if ("fixed32" in record) w.tag(record.f, WireType.Bit32).fixed32(record.fixed32);
    else if ("bytes" in record) w.tag(record.f, WireType.LengthDelimited).bytes(record.bytes);
    else if ("message" in record) {
      w.tag(record.f, WireType.LengthDelimited).fork();
      writeRecords(w, record.message);
      w.join();
    } else {
      w.tag(record.f, WireType.StartGroup);
      writeRecords(w, record.group);
      w.tag(record.f, WireType.EndGroup);
    }
  }
}

// Shorthands for google.protobuf.Value, Struct and ListValue bodies.

/** Value fields: null_value. */
export const nullValue = (): WireRecord => varint(1, 0);
/** Value fields: number_value. */
export const numberValue = (n: number): WireRecord => ({ f: 2, double: n });
/** Value fields: string_value. */
export const stringValue = (s: string | Uint8Array): WireRecord => str(3, s);
/** Value fields: bool_value. */
export const boolValue = (b: boolean): WireRecord => varint(4, b ? 1 : 0);
/** Value fields: struct_value with `[key, value fields]` entries. */
export const structValue = (...entries: [string | Uint8Array, WireRecord[]][]): WireRecord =>
  msg(5, ...entries.map(([key, value]) => msg(1, str(1, key), msg(2, ...value))));
/** Value fields: list_value with the given items. */
export const listValue = (...items: WireRecord[][]): WireRecord => msg(6, ...items.map((item) => msg(1, ...item)));

/** A ClientFrame of events, each given as its id, type and data Value fields (undefined: no data field). */
export function frame(...events: [string, string, WireRecord[] | undefined][]): Uint8Array {
  return wire(
    events.map(([id, type, data]) =>
      msg(1, ...[str(1, id), str(2, type), ...(data === undefined ? [] : [msg(3, ...data)])])
    ),
  );
}

/**
 * Data nested `levels` JSON levels deep (two messages a level) around `bottom`: by default a
 * number, with an unknown field of groups `groups` deep when `groups` is not 0.
 */
export function deepValue(
  levels: number,
  asObjects: (level: number) => boolean,
  groups = 0,
  bottom: WireRecord[] = groups > 0 ? [numberValue(1), nestedGroups(groups)] : [numberValue(1)],
): WireRecord[] {
  let value = bottom;
  for (let level = levels; level >= 1; level--) {
    value = asObjects(level) ? [structValue(["k", value])] : [listValue(value)];
  }
  return value;
}

/** An unknown field 9 holding groups nested `levels` deep. */
export function nestedGroups(levels: number): WireRecord {
  let group: WireRecord = { f: 9, group: [] };
  for (let i = 1; i < levels; i++) group = { f: 9, group: [group] };
  return group;
}
