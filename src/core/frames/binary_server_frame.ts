/**
 * A writer for the `veltrix.v1.ServerFrame` wire format made for the reply hot path, without
 * building protobuf-es messages. Its output is byte for byte what protobuf-es `toBinary` makes of
 * the same reply (the tests check that over generated replies): fields in number order, empty
 * strings and a zero retry hint or expiry left out, every ack written even when empty, an error and a session written
 * whenever the reply has one, and text as `TextEncoder` writes it (a lone surrogate becomes
 * U+FFFD).
 *
 * Replies are nearly always ASCII (ids, codes, messages), and a JavaScript loop over characters
 * is slow next to the engine's own copying, so the writer first builds the whole frame as one
 * string, on the bet that every character is one byte, and encodes it with a single
 * `encodeInto`; varint bytes of 0x80 and above, which no one-byte UTF-8 character gives, go in as
 * placeholders that are patched afterwards. When the bet fails (some text is not ASCII), it
 * writes the frame the general way: size every string, then write into a buffer of that size.
 *
 * @module
 */
import type { ServerReply } from "./frame_types.ts";

const encoder = new TextEncoder();

/** Tags: field number << 3 | wire type 2 (length-delimited), and 0 (varint) for the retry hint. */
const TAG_ACK = 0x0a;
const TAG_REJECT = 0x12;
const TAG_ERROR = 0x1a;
const TAG_SESSION = 0x22;
const TAG_EXPIRES_AT = 0x08;
const TAG_ID = 0x0a;
const TAG_CODE = 0x12;
const TAG_MESSAGE = 0x1a;
const TAG_RETRY_AFTER_MS = 0x20;
const TAG_ERROR_CODE = 0x0a;
const TAG_ERROR_MESSAGE = 0x12;

/**
 * Replies are cut from a shared pool instead of each getting a buffer of its own: allocating a
 * small ArrayBuffer costs more than writing a whole reply of acks. A pool is only ever handed out
 * forward, never reused, so every returned frame keeps its bytes (its `buffer` is the pool: use
 * the view, as `WebSocket.send` does). A reply past {@link POOLED_MAX} gets a buffer of its own.
 */
const POOL_SIZE = 8 * 1024;
const POOLED_MAX = POOL_SIZE / 4;
let pool = new Uint8Array(POOL_SIZE);
let poolUsed = 0;

function allocate(size: number): Uint8Array {
  if (size > POOLED_MAX) return new Uint8Array(size);
  if (poolUsed + size > POOL_SIZE) {
    pool = new Uint8Array(POOL_SIZE);
    poolUsed = 0;
  }
  const out = pool.subarray(poolUsed, poolUsed + size);
  poolUsed += size;
  return out;
}

/** Gives back the latest {@link allocate} of `size` bytes, which must not have been handed out. */
function release(size: number): void {
  if (size <= POOLED_MAX) poolUsed -= size;
}

/** Encodes a reply as a protobuf `veltrix.v1.ServerFrame`. */
export function writeBinaryServerFrame(reply: ServerReply): Uint8Array {
  return writeAscii(reply) ?? writeAny(reply);
}

// ---------------------------------------------------------------------------------------------
// ASCII replies: the frame as one string

/** One-character strings for the bytes below 0x80. */
const CHARS = Array.from({ length: 0x80 }, (_, byte) => String.fromCharCode(byte));
const ACK = CHARS[TAG_ACK]!;
const REJECT = CHARS[TAG_REJECT]!;
const ERROR = CHARS[TAG_ERROR]!;
const SESSION = CHARS[TAG_SESSION]!;
const EXPIRES_AT = CHARS[TAG_EXPIRES_AT]!;
const ID = CHARS[TAG_ID]!;
const CODE = CHARS[TAG_CODE]!;
const MESSAGE = CHARS[TAG_MESSAGE]!;
const RETRY_AFTER_MS = CHARS[TAG_RETRY_AFTER_MS]!;
const ERROR_CODE = CHARS[TAG_ERROR_CODE]!;
const ERROR_MESSAGE = CHARS[TAG_ERROR_MESSAGE]!;
/** Where a varint byte of 0x80 and above goes in the text; patched after encoding. */
const PLACEHOLDER = "\0";

/** Positions and values of the varint bytes to patch, in pairs. Reused between calls. */
const patches: number[] = [];

/** The varint of `value` as text at position `at`, with placeholders for bytes of 0x80 and above. */
function varintText(at: number, value: number): string {
  if (value < 0x80) return CHARS[value]!;
  let text = "";
  while (value > 0x7f) {
    patches.push(at + text.length, (value & 0x7f) | 0x80);
    text += PLACEHOLDER;
    value >>>= 7;
  }
  return text + CHARS[value]!;
}

/** `text` followed by a string field, if `value` is not empty, as though `value` were ASCII. */
function appendField(text: string, tag: string, value: string): string {
  if (value === "") return text;
  text += tag;
  return text + varintText(text.length, value.length) + value;
}

/** Size of a string field, as though `value` were ASCII. */
function asciiFieldSize(value: string): number {
  return value === "" ? 0 : 1 + varintSize(value.length) + value.length;
}

/** The frame, or undefined when some text in it is not ASCII. */
function writeAscii(reply: ServerReply): Uint8Array | undefined {
  patches.length = 0;
  let text = "";
  const acks = reply.acks;
  if (acks !== undefined) {
    for (let i = 0; i < acks.length; i++) {
      const id = acks[i]!;
      text += ACK;
      text += varintText(text.length, id.length) + id;
    }
  }
  const rejects = reply.rejects;
  if (rejects !== undefined) {
    for (let i = 0; i < rejects.length; i++) {
      const reject = rejects[i]!;
      const retry = wireUint32(reject.retryAfterMs);
      const body = asciiFieldSize(reject.id) + asciiFieldSize(reject.code) + asciiFieldSize(reject.message) +
        (retry === 0 ? 0 : 1 + varintSize(retry));
      text += REJECT;
      text += varintText(text.length, body);
      text = appendField(text, ID, reject.id);
      text = appendField(text, CODE, reject.code);
      text = appendField(text, MESSAGE, reject.message);
      if (retry !== 0) {
        text += RETRY_AFTER_MS;
        text += varintText(text.length, retry);
      }
    }
  }
  const error = reply.error;
  if (error) {
    text += ERROR;
    text += varintText(text.length, asciiFieldSize(error.code) + asciiFieldSize(error.message));
    text = appendField(text, ERROR_CODE, error.code);
    text = appendField(text, ERROR_MESSAGE, error.message);
  }
  const session = reply.session;
  if (session) {
    const expiresAt = wireUint32(session.expiresAt);
    text += SESSION;
    text += varintText(text.length, expiresAt === 0 ? 0 : 1 + varintSize(expiresAt));
    if (expiresAt !== 0) {
      text += EXPIRES_AT;
      text += varintText(text.length, expiresAt);
    }
  }
  const size = text.length;
  const out = allocate(size);
  // Text with a character of two or more UTF-8 bytes does not fit: not all of it is read.
  if (encoder.encodeInto(text, out).read !== size) {
    release(size);
    return undefined;
  }
  for (let i = 0; i < patches.length; i += 2) out[patches[i]!] = patches[i + 1]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Any reply: sized, then written

/**
 * Byte lengths worked out by the sizing pass, in the order the writing pass needs them. Reused
 * between calls; the writer is synchronous, so no two calls share it at once.
 */
let sizes: number[] = [];

function writeAny(reply: ServerReply): Uint8Array {
  const acks = reply.acks;
  const rejects = reply.rejects;
  const error = reply.error;
  const lengths = sizes;
  let n = 0;
  let total = 0;

  if (acks !== undefined) {
    for (let i = 0; i < acks.length; i++) {
      const length = utf8Length(acks[i]!);
      lengths[n++] = length;
      total += 1 + varintSize(length) + length;
    }
  }
  if (rejects !== undefined) {
    for (let i = 0; i < rejects.length; i++) {
      const reject = rejects[i]!;
      const at = n++; // the body length goes before the field lengths
      let body = stringFieldSize(lengths, n++, reject.id);
      body += stringFieldSize(lengths, n++, reject.code);
      body += stringFieldSize(lengths, n++, reject.message);
      const retry = wireUint32(reject.retryAfterMs);
      if (retry !== 0) body += 1 + varintSize(retry);
      lengths[at] = body;
      total += 1 + varintSize(body) + body;
    }
  }
  if (error) {
    const at = n++;
    let body = stringFieldSize(lengths, n++, error.code);
    body += stringFieldSize(lengths, n++, error.message);
    lengths[at] = body;
    total += 1 + varintSize(body) + body;
  }
  const session = reply.session;
  const expiresAt = session ? wireUint32(session.expiresAt) : 0;
  const sessionBody = expiresAt === 0 ? 0 : 1 + varintSize(expiresAt);
  if (session) total += 1 + varintSize(sessionBody) + sessionBody;

  const out = allocate(total);
  let pos = 0;
  n = 0;
  if (acks !== undefined) {
    for (let i = 0; i < acks.length; i++) {
      out[pos++] = TAG_ACK;
      pos = writeString(out, pos, acks[i]!, lengths[n++]!);
    }
  }
  if (rejects !== undefined) {
    for (let i = 0; i < rejects.length; i++) {
      const reject = rejects[i]!;
      out[pos++] = TAG_REJECT;
      pos = writeVarint(out, pos, lengths[n++]!);
      pos = writeStringField(out, pos, TAG_ID, reject.id, lengths[n++]!);
      pos = writeStringField(out, pos, TAG_CODE, reject.code, lengths[n++]!);
      pos = writeStringField(out, pos, TAG_MESSAGE, reject.message, lengths[n++]!);
      const retry = wireUint32(reject.retryAfterMs);
      if (retry !== 0) {
        out[pos++] = TAG_RETRY_AFTER_MS;
        pos = writeVarint(out, pos, retry);
      }
    }
  }
  if (error) {
    out[pos++] = TAG_ERROR;
    pos = writeVarint(out, pos, lengths[n++]!);
    pos = writeStringField(out, pos, TAG_ERROR_CODE, error.code, lengths[n++]!);
    pos = writeStringField(out, pos, TAG_ERROR_MESSAGE, error.message, lengths[n++]!);
  }
  if (session) {
    out[pos++] = TAG_SESSION;
    pos = writeVarint(out, pos, sessionBody);
    if (expiresAt !== 0) {
      out[pos++] = TAG_EXPIRES_AT;
      pos = writeVarint(out, pos, expiresAt);
    }
  }
  if (lengths.length > 4096) sizes = []; // do not keep a huge reply's scratch alive
  return out;
}

/** A uint32 as it is on the wire (a retry hint, an expiry): rounded up, clamped, 0 when unset or not a number. */
function wireUint32(ms: number | undefined): number {
  return Math.min(Math.max(Math.ceil(ms ?? 0), 0), 0xffff_ffff) || 0;
}

/** Size of a string field with implicit presence (left out when empty); records its byte length at `lengths[at]`. */
function stringFieldSize(lengths: number[], at: number, text: string): number {
  if (text === "") {
    lengths[at] = 0;
    return 0;
  }
  const length = utf8Length(text);
  lengths[at] = length;
  return 1 + varintSize(length) + length;
}

function writeStringField(out: Uint8Array, pos: number, tag: number, text: string, length: number): number {
  if (text === "") return pos;
  out[pos++] = tag;
  return writeString(out, pos, text, length);
}

/** Writes `text` length-prefixed; `length` is its UTF-8 byte length. */
function writeString(out: Uint8Array, pos: number, text: string, length: number): number {
  pos = writeVarint(out, pos, length);
  if (length === text.length) {
    // As many bytes as UTF-16 code units: all ASCII.
    for (let i = 0; i < length; i++) out[pos + i] = text.charCodeAt(i);
  } else {
    encoder.encodeInto(text, out.subarray(pos, pos + length));
  }
  return pos + length;
}

/** UTF-8 length of `text` as TextEncoder writes it: a lone surrogate becomes U+FFFD (3 bytes). */
function utf8Length(text: string): number {
  const units = text.length;
  let length = units;
  for (let i = 0; i < units; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      length += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < units && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2; // a surrogate pair: two code units, four bytes
      i++;
    } else {
      length += 2;
    }
  }
  return length;
}

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value > 0x7f) {
    out[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[pos++] = value;
  return pos;
}
