import { Buffer } from "node:buffer";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";

/** A record as the platformatic producer takes it without serializers: Buffers, and headers in a Map. */
export interface PlatformaticMessage {
  readonly topic: string;
  readonly key: Buffer | undefined;
  readonly value: Buffer;
  readonly headers: Map<Buffer, Buffer>;
}

/** A header name, encoded once, with its two most recent values encoded. */
interface HeaderName {
  readonly bytes: Buffer;
  /** Recent values and their bytes: slot 0 is the newest. */
  values: [string | undefined, Buffer | undefined, string | undefined, Buffer | undefined];
}

/** Header names kept encoded; past this many distinct names, the rest are encoded on each use. */
const MAX_HEADER_NAMES = 256;

/**
 * Turns {@link OutboundRecord}s into platformatic messages on the produce path, allocating little:
 * byte values become Buffer views of the same memory (no copy); header names are encoded once
 * and reused; a header value equal to one of that header's two latest values (the content type,
 * the route version) reuses its bytes; records of one event, which share their headers object,
 * share one header Map, and consecutive records with the same key or value share its Buffer.
 *
 * The client's keyed partitioner and encoder work only on Buffers: a string or a plain
 * Uint8Array key would go to partition 0, and a string value or header is retried as if it were
 * a network error. So everything is converted here, and anything malformed is a TypeError
 * thrown before the client sees it.
 */
export class RecordEncoder {
  readonly #names = new Map<string, HeaderName>();

  /** The messages of `records`, in order. Throws a TypeError on a malformed record. */
  encode(records: readonly OutboundRecord[]): PlatformaticMessage[] {
    const messages: PlatformaticMessage[] = new Array(records.length);
    let lastHeaders: unknown, headerMap: Map<Buffer, Buffer> | undefined;
    let lastKey: string | null | undefined, keyBytes: Buffer | undefined;
    let lastValue: unknown, valueBytes: Buffer | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (typeof record.topic !== "string" || record.topic === "") {
        throw new TypeError(`record ${i}: the topic must be a non-empty string`);
      }
      if (record.key !== lastKey || keyBytes === undefined) {
        keyBytes = this.#key(record.key, i);
        lastKey = record.key;
      }
      if (record.value !== lastValue || valueBytes === undefined) {
        valueBytes = bytesOf(record.value, i);
        lastValue = record.value;
      }
      if (record.headers !== lastHeaders || headerMap === undefined) {
        headerMap = this.#headers(record.headers, i);
        lastHeaders = record.headers;
      }
      messages[i] = {
        topic: record.topic,
        key: record.key === null ? undefined : keyBytes,
        value: valueBytes,
        headers: headerMap,
      };
    }
    return messages;
  }

  #key(key: string | null, index: number): Buffer {
    if (key === null) return EMPTY;
    if (typeof key !== "string") throw new TypeError(`record ${index}: the key must be a string or null`);
    return Buffer.from(key);
  }

  #headers(headers: Readonly<Record<string, string>>, index: number): Map<Buffer, Buffer> {
    if (typeof headers !== "object" || headers === null) {
      throw new TypeError(`record ${index}: the headers must be an object of strings`);
    }
    const map = new Map<Buffer, Buffer>();
    for (const name in headers) {
      const value = headers[name];
      if (typeof value !== "string") throw new TypeError(`record ${index}: header ${name} must be a string`);
      const entry = this.#name(name);
      if (entry === undefined) map.set(Buffer.from(name), Buffer.from(value));
      else map.set(entry.bytes, valueBytesOf(entry, value));
    }
    return map;
  }

  #name(name: string): HeaderName | undefined {
    let entry = this.#names.get(name);
    if (entry === undefined && this.#names.size < MAX_HEADER_NAMES) {
      entry = { bytes: Buffer.from(name), values: [undefined, undefined, undefined, undefined] };
      this.#names.set(name, entry);
    }
    return entry;
  }
}

const EMPTY = Buffer.alloc(0);

/** A value's bytes: a view of a Uint8Array's memory, or a string's UTF-8. */
function bytesOf(value: Uint8Array | string, index: number): Buffer {
  if (typeof value === "string") return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`record ${index}: the value must be a Uint8Array or a string`);
}

/** A header value's bytes, reusing one of the header's two latest values when it is the same. */
function valueBytesOf(entry: HeaderName, value: string): Buffer {
  const slots = entry.values;
  if (slots[0] === value) return slots[1]!;
  if (slots[2] === value) return slots[3]!;
  const bytes = Buffer.from(value);
  slots[2] = slots[0];
  slots[3] = slots[1];
  slots[0] = value;
  slots[1] = bytes;
  return bytes;
}
