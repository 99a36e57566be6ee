/**
 * RFC 9562 UUIDv7 ids: a 48-bit Unix millisecond timestamp, version 7, a 42-bit counter that
 * starts at a random value each millisecond and counts up within it (so ids of one generator
 * sort in the order they were made, RFC 9562 §6.2 method 1), the variant bits `10`, and 32
 * random bits.
 *
 * @module
 */

const COUNTER_BITS = 42;
const COUNTER_LIMIT = 2 ** COUNTER_BITS;
const HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * Makes UUIDv7 ids that strictly increase, even within one millisecond or when the clock steps
 * back: the timestamp never goes below the last one used, and when a millisecond's counter runs
 * out the generator borrows the next millisecond.
 */
export class Uuidv7Generator {
  readonly #now: () => number;
  readonly #random: (bytes: Uint8Array) => void;
  #lastMs = -1;
  #counter = 0;

  /**
   * @param now The clock, in ms since the epoch. @default Date.now
   * @param random Fills bytes with random values. @default crypto.getRandomValues
   */
  constructor(
    now: () => number = Date.now,
    random: (bytes: Uint8Array) => void = (bytes) => crypto.getRandomValues(bytes),
  ) {
    this.#now = now;
    this.#random = random;
  }

  /** The next id, e.g. `0190b3c4-5d6e-7f01-8a2b-3c4d5e6f7081`. */
  next(): string {
    const random = new Uint8Array(10);
    this.#random(random);
    const now = Math.floor(this.#now());
    if (now > this.#lastMs) {
      this.#lastMs = now;
      this.#counter = _counterSeed(random);
    } else if (++this.#counter >= COUNTER_LIMIT) {
      this.#lastMs++;
      this.#counter = _counterSeed(random);
    }
    const ms = this.#lastMs;
    const counter = this.#counter;
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
    bytes[6] = 0x70 | (Math.floor(counter / 2 ** 38) & 0x0f);
    bytes[7] = Math.floor(counter / 2 ** 30) & 0xff;
    bytes[8] = 0x80 | (Math.floor(counter / 2 ** 24) & 0x3f);
    bytes[9] = Math.floor(counter / 2 ** 16) & 0xff;
    bytes[10] = Math.floor(counter / 2 ** 8) & 0xff;
    bytes[11] = counter & 0xff;
    bytes.set(random.subarray(6, 10), 12);
    let text = "";
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) text += "-";
      text += HEX[bytes[i]!];
    }
    return text;
  }
}

/** A random 41-bit start, leaving half the counter's room for ids within the same millisecond. */
function _counterSeed(random: Uint8Array): number {
  let seed = random[0]! & 0x01;
  for (let i = 1; i < 6; i++) seed = seed * 256 + random[i]!;
  return seed;
}

const shared = new Uuidv7Generator();

/**
 * A new RFC 9562 UUIDv7, in lower-case hex. Ids from one page or process sort (as strings) in the
 * order they were made, even within one millisecond.
 *
 * @example
 * ```ts
 * import { uuidv7 } from "./uuidv7.ts";
 *
 * const a = uuidv7();
 * const b = uuidv7();
 * a < b; // true
 * a[14]; // "7", the version
 * ```
 */
export function uuidv7(): string {
  return shared.next();
}
