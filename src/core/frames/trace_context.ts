/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as far as the edge needs it: checking
 * the `traceparent` and `tracestate` a client puts on an event, and making span ids.
 *
 * A traceparent that is not valid is dropped with its tracestate, and the event is routed without
 * them: the spec asks a receiver to ignore a traceparent it cannot parse, and an event must not be
 * lost over its tracing. A tracestate that is not valid is dropped on its own.
 *
 * @module
 */

/** The longest tracestate kept, in characters (the spec's limit for what a vendor must propagate). */
export const MAX_TRACESTATE_LENGTH = 512;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);
/** List members: `key=value`, printable ASCII without `,` or `=` in the value, at most 32. */
const TRACESTATE_MEMBER =
  /^[a-z0-9][_0-9a-z\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** The parts of a valid version-00 traceparent. */
export interface Traceparent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

/**
 * The parts of `value` when it is a valid version-00 traceparent: lowercase hex, a trace id and a
 * parent id that are not all zero. Undefined otherwise.
 */
export function parseTraceparent(value: unknown): Traceparent | undefined {
  if (typeof value !== "string" || value.length !== 55) return undefined;
  const match = TRACEPARENT.exec(value);
  if (match === null || match[1] === ZERO_TRACE_ID || match[2] === ZERO_SPAN_ID) return undefined;
  return { traceId: match[1]!, parentId: match[2]!, flags: value.slice(53) };
}

/** True when `value` is a tracestate worth propagating: at most 512 characters of valid list members. */
export function isValidTracestate(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_TRACESTATE_LENGTH) return false;
  const members = value.split(",").map((member) => member.replace(/^[ \t]+|[ \t]+$/g, "")).filter((member) =>
    member !== ""
  );
  return members.length > 0 && members.length <= 32 && members.every((member) => TRACESTATE_MEMBER.test(member));
}

/** The trace fields an event keeps: none, a traceparent, or both. */
export interface EventTraceFields {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** What an event keeps of the trace context a client sent (see the module doc for what is dropped). */
export function eventTraceFields(traceparent: unknown, tracestate: unknown): EventTraceFields {
  if (parseTraceparent(traceparent) === undefined) return {};
  return isValidTracestate(tracestate)
    ? { traceparent: traceparent as string, tracestate }
    : { traceparent: traceparent as string };
}

/**
 * A cheap source of span ids: xoshiro128** over a seed the caller draws once (the edge draws it
 * from `crypto.getRandomValues`). Span ids need to be unique, not secret, and a crypto call per
 * event costs more than this.
 */
export class SpanIdGenerator {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed` holds four random 32-bit words, not all zero. */
  constructor(seed: Uint32Array) {
    if (seed.length < 4 || seed.every((word) => word === 0)) {
      throw new RangeError("the seed needs four words, not all zero");
    }
    this.#a = seed[0]! | 0;
    this.#b = seed[1]! | 0;
    this.#c = seed[2]! | 0;
    this.#d = seed[3]! | 0;
  }

  /** The next span id: 16 lowercase hex digits, never all zero. */
  next(): string {
    for (;;) {
      const high = this.#next32();
      const low = this.#next32();
      if (high !== 0 || low !== 0) return hex8(high) + hex8(low);
    }
  }

  #next32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Two hex digits of each byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function hex8(word: number): string {
  return HEX[word >>> 24]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
}
