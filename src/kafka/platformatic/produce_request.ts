/**
 * The body of a Kafka Produce request (versions 9 to 11, the flexible ones), encoded into one
 * buffer in two passes: the first sums every record's exact size, the second writes each byte once.
 * Number varints (no BigInt), topic names encoded once per encoder, the records of one event
 * (which share one headers Map) copy the header block written for the first, and the record
 * batch's CRC32C is computed by a slice-by-8 table over the final bytes. The bytes are those
 * @platformatic/kafka 2.12.1 writes for the same records (`produce_request_test.ts` holds it to
 * that, CRC included); the connection adds the request header.
 *
 * @module
 */
import type { PlatformaticMessage } from "./record_encoder.ts";

/** The record batches of one partition, as one produce request carries them. */
export interface PartitionBatch {
  readonly partition: number;
  readonly messages: readonly PlatformaticMessage[];
  /** The sequence number of the batch's first record (the producer's count for this partition). */
  readonly firstSequence: number;
  /** The batch's bytes once encoded (a view of the request they were first sent in); resent as they are. */
  bytes?: Uint8Array;
}

/** The batches of one topic in a produce request. */
export interface TopicBatches {
  readonly topic: string;
  readonly partitions: PartitionBatch[];
}

/** Who writes: an idempotent producer's id and epoch. */
export interface ProducerIdentity {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** The produce API versions {@link encodeProduceRequest} writes. */
export const LEAN_PRODUCE_VERSIONS: readonly number[] = [9, 10, 11];

const MAGIC = 2;
/** Bytes of a record batch before its records: base offset to record count. */
const BATCH_HEADER = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** Where the CRC'd part of a batch starts (attributes), from the batch's start. */
const CRC_FROM = 8 + 4 + 4 + 1 + 4;

const textEncoder = new TextEncoder();

/**
 * Orders a produce request's topics and partitions as the client does (it groups by plain-object
 * keys: integer-like topic names first in numeric order, then the others as they came; partitions
 * ascending), so that the bytes match its own encoding.
 */
export function orderLikeClient(topics: TopicBatches[]): TopicBatches[] {
  for (const topic of topics) topic.partitions.sort((a, b) => a.partition - b.partition);
  const indexed = topics.filter((t) => isArrayIndex(t.topic));
  if (indexed.length === 0) return topics;
  indexed.sort((a, b) => Number(a.topic) - Number(b.topic));
  return [...indexed, ...topics.filter((t) => !isArrayIndex(t.topic))];
}

function isArrayIndex(name: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(name) && Number(name) < 4294967295;
}

/**
 * Encodes produce requests. Keeps topic names encoded between requests (up to a bound) and one
 * scratch array of record sizes; otherwise stateless.
 */
export class ProduceRequestEncoder {
  readonly #names = new Map<string, Uint8Array>();
  #sizes = new Int32Array(1024);

  /**
   * The request body: transactional id (null), acks, timeout, then each topic's partitions with
   * one record batch each, stamped `timestampMs`, from `identity` at each batch's first sequence.
   * A batch that already has `bytes` is copied as it is (a resend keeps its sequence, timestamps
   * and CRC); the others are encoded, and their `bytes` set to a view of the result.
   */
  encode(
    topics: readonly TopicBatches[],
    acks: number,
    timeoutMs: number,
    identity: ProducerIdentity,
    timestampMs: number,
  ): Uint8Array {
    // Pass 1: sizes.
    let records = 0;
    for (const topic of topics) {
      for (const p of topic.partitions) if (p.bytes === undefined) records += p.messages.length;
    }
    if (this.#sizes.length < records) this.#sizes = new Int32Array(Math.max(records, this.#sizes.length * 2));
    const sizes = this.#sizes;
    let total = 1 + 2 + 4 + uvarintSize(topics.length + 1) + 1;
    let r = 0;
    for (const topic of topics) {
      const name = this.#name(topic.topic);
      total += uvarintSize(name.length + 1) + name.length + uvarintSize(topic.partitions.length + 1) + 1;
      for (const p of topic.partitions) {
        let batch: number;
        if (p.bytes !== undefined) {
          batch = p.bytes.length;
        } else {
          batch = BATCH_HEADER;
          const messages = p.messages;
          let lastHeaders: unknown, headerBytes = 0;
          for (let i = 0; i < messages.length; i++) {
            const m = messages[i]!;
            if (m.headers !== lastHeaders) {
              headerBytes = headersSize(m.headers);
              lastHeaders = m.headers;
            }
            // attributes, timestamp delta 0, offset delta, key, value, headers
            const body = 1 + 1 + varintSize(i) + bytesSize(m.key) + bytesSize(m.value) + headerBytes;
            sizes[r++] = body;
            batch += varintSize(body) + body;
          }
        }
        total += 4 + uvarintSize(batch + 1) + batch + 1;
      }
    }

    // Pass 2: bytes.
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    let at = 0;
    out[at++] = 0; // transactional id: null
    view.setInt16(at, acks);
    view.setInt32(at + 2, timeoutMs);
    at = writeUvarint(out, at + 6, topics.length + 1);
    r = 0;
    for (const topic of topics) {
      const name = this.#name(topic.topic);
      at = writeUvarint(out, at, name.length + 1);
      out.set(name, at);
      at = writeUvarint(out, at + name.length, topic.partitions.length + 1);
      for (const p of topic.partitions) {
        view.setInt32(at, p.partition);
        at += 4;
        if (p.bytes !== undefined) {
          at = writeUvarint(out, at, p.bytes.length + 1);
          out.set(p.bytes, at);
          at += p.bytes.length;
        } else {
          let batch = BATCH_HEADER;
          for (let i = 0; i < p.messages.length; i++) batch += varintSize(sizes[r + i]!) + sizes[r + i]!;
          at = writeUvarint(out, at, batch + 1);
          const start = at;
          at = writeBatch(out, view, at, p, batch, identity, timestampMs, sizes, r);
          r += p.messages.length;
          p.bytes = out.subarray(start, at);
        }
        out[at++] = 0; // partition tagged fields
      }
      out[at++] = 0; // topic tagged fields
    }
    out[at++] = 0; // request tagged fields
    if (at !== total) throw new Error(`produce request: wrote ${at} bytes of ${total}`);
    return out;
  }

  #name(topic: string): Uint8Array {
    let bytes = this.#names.get(topic);
    if (bytes === undefined) {
      bytes = textEncoder.encode(topic);
      if (this.#names.size < 4096) this.#names.set(topic, bytes);
    }
    return bytes;
  }
}

/** Writes one record batch (base offset 0, magic 2, no compression) at `at`; returns where it ends. */
function writeBatch(
  out: Uint8Array,
  view: DataView,
  at: number,
  p: PartitionBatch,
  batchLength: number,
  identity: ProducerIdentity,
  timestampMs: number,
  sizes: Int32Array,
  first: number,
): number {
  const start = at;
  const count = p.messages.length;
  view.setInt32(at, 0); // base offset (int64) 0
  view.setInt32(at + 4, 0);
  view.setInt32(at + 8, batchLength - 12); // length: from partition leader epoch on
  view.setInt32(at + 12, 0); // partition leader epoch, as the client sends it
  out[at + 16] = MAGIC;
  // CRC at +17, written last
  view.setInt16(at + 21, 0); // attributes
  view.setInt32(at + 23, count - 1); // last offset delta
  writeInt64(view, at + 27, timestampMs); // first timestamp
  writeInt64(view, at + 35, timestampMs); // max timestamp
  writeInt64(view, at + 43, identity.producerId);
  view.setInt16(at + 51, identity.producerEpoch);
  view.setInt32(at + 53, p.firstSequence);
  view.setInt32(at + 57, count);
  at += BATCH_HEADER;
  let lastHeaders: unknown, headersStart = 0, headersEnd = 0;
  for (let i = 0; i < count; i++) {
    const m = p.messages[i]!;
    at = writeVarint(out, at, sizes[first + i]!);
    out[at++] = 0; // attributes
    out[at++] = 0; // timestamp delta: every record of the request has the same timestamp
    at = writeVarint(out, at, i);
    at = writeBytes(out, at, m.key);
    at = writeBytes(out, at, m.value);
    if (m.headers === lastHeaders) {
      out.copyWithin(at, headersStart, headersEnd);
      at += headersEnd - headersStart;
    } else {
      headersStart = at;
      at = writeVarint(out, at, m.headers.size);
      for (const [name, value] of m.headers) {
        at = writeBytes(out, at, name);
        at = writeBytes(out, at, value);
      }
      headersEnd = at;
      lastHeaders = m.headers;
    }
  }
  view.setUint32(start + 17, crc32c(out, start + CRC_FROM, at));
  return at;
}

function headersSize(headers: Map<Uint8Array, Uint8Array>): number {
  let size = varintSize(headers.size);
  for (const [name, value] of headers) size += bytesSize(name) + bytesSize(value);
  return size;
}

/** A record field's size: zigzag varint length (-1 for null) and the bytes. */
function bytesSize(bytes: Uint8Array | undefined): number {
  return bytes === undefined ? 1 : varintSize(bytes.length) + bytes.length;
}

function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array | undefined): number {
  if (bytes === undefined) {
    out[at] = 1; // zigzag(-1)
    return at + 1;
  }
  at = writeVarint(out, at, bytes.length);
  out.set(bytes, at);
  return at + bytes.length;
}

/** Size of a zigzag varint of a 32-bit int. */
export function varintSize(value: number): number {
  return uvarintSize(((value << 1) ^ (value >> 31)) >>> 0);
}

/** Size of an unsigned varint of a 32-bit unsigned int. */
export function uvarintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  return writeUvarint(out, at, ((value << 1) ^ (value >> 31)) >>> 0);
}

function writeUvarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}

/** A signed 64-bit big-endian integer from a safe integer (ids, epoch milliseconds), without BigInt. */
function writeInt64(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / 4294967296);
  view.setInt32(at, high);
  view.setUint32(at + 4, value - high * 4294967296);
}

/** CRC32C (Castagnoli) lookup tables for slice-by-8, one after another in one array (table t at t * 256). */
const CRC_TABLE: Int32Array = (() => {
  const table = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n]!;
    for (let t = 1; t < 8; t++) {
      c = table[c & 0xff]! ^ (c >>> 8);
      table[t * 256 + n] = c;
    }
  }
  return table;
})();

/** CRC32C of `bytes[from, to)`, slice-by-8. */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const t = CRC_TABLE;
  let crc = -1;
  let i = from;
  for (const end8 = to - 7; i < end8; i += 8) {
    const a = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    crc = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^ t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < to; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
