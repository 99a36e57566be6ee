/**
 * Rate limits for log lines: each kind of line (a key such as `connection.opened` or
 * `reject:RATE_LIMITED`) gets at most `limit` lines per window; the rest are counted, and the next
 * line of that key that gets through, or the next {@link RateLimitedLog.flush}, reports how many
 * were held back. A flood of rejects or faults so costs a bounded number of lines, and no count is
 * lost.
 *
 * @module
 */
import type { Logger } from "./logger.ts";

/** A level of a {@link Logger}. */
export type LogLevelName = keyof Logger;

/** Bounds of a {@link RateLimitedLog}. */
export interface RateLimitedLogOptions {
  /** Lines written per key within one window. @default 10 */
  readonly limit?: number;
  /** Length of a key's window, in ms; it starts with the key's first line after the last window ended. @default 10000 */
  readonly windowMs?: number;
  /** Keys tracked at once; past it the key tracked longest is dropped, its suppressed count written first. @default 1000 */
  readonly maxKeys?: number;
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
}

/** The message of the line {@link RateLimitedLog.flush} writes for a key with suppressed lines. */
export const SUPPRESSED_MESSAGE = "log lines suppressed";

interface _KeyState {
  windowStartedAt: number;
  written: number;
  suppressed: number;
  /** The level of the key's last written line, which its suppressed count is reported at. */
  level: LogLevelName;
}

/**
 * A {@link Logger} wrapper that rate-limits lines per key (see the module doc).
 *
 * On a hot path, ask {@link admit} first and build the fields only when it says yes, so that a
 * suppressed line costs a map lookup and a clock read, and allocates nothing:
 *
 * @example
 * ```ts
 * import { RateLimitedLog } from "./rate_limited_log.ts";
 *
 * const lines: string[] = [];
 * const write = (msg: string, fields?: Record<string, unknown>) => lines.push(JSON.stringify({ msg, ...fields }));
 * const log = new RateLimitedLog({ debug: write, info: write, warn: write, error: write }, { limit: 2 });
 * for (let i = 0; i < 5; i++) {
 *   if (log.admit("reject:RATE_LIMITED")) log.emit("warn", "reject:RATE_LIMITED", "event rejected", { i });
 * }
 * log.flush(); // {"msg":"log lines suppressed","key":"reject:RATE_LIMITED","suppressed":3}
 * ```
 */
export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, _KeyState>();

  /** Throws a RangeError when a bound is not a positive integer. */
  constructor(logger: Logger, options: RateLimitedLogOptions = {}) {
    this.#logger = logger;
    this.#limit = _positive("limit", options.limit ?? 10);
    this.#windowMs = _positive("windowMs", options.windowMs ?? 10_000);
    this.#maxKeys = _positive("maxKeys", options.maxKeys ?? 1_000);
    this.#now = options.now ?? Date.now;
  }

  /** The logger lines are written to, for lines that need no limit (start, stop, configuration). */
  get logger(): Logger {
    return this.#logger;
  }

  /** The window length, in ms: how often {@link flush} is worth calling. */
  get windowMs(): number {
    return this.#windowMs;
  }

  /** Keys tracked now (at most `maxKeys`). */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Counts a line of `key`: true when it may be written now (then write it with {@link emit}),
   * false when it is suppressed (it is counted, and reported later). Allocates nothing for a key
   * already tracked.
   */
  admit(key: string): boolean {
    const now = this.#now();
    let state = this.#keys.get(key);
    if (state === undefined) state = this.#track(key, now);
    else if (now - state.windowStartedAt >= this.#windowMs) {
      state.windowStartedAt = now;
      state.written = 0;
    }
    if (state.written < this.#limit) {
      state.written++;
      return true;
    }
    state.suppressed++;
    return false;
  }

  /**
   * Writes a line of `key` that {@link admit} let through. When lines of `key` were suppressed
   * since its last line, the line carries `suppressed`: how many.
   */
  emit(level: LogLevelName, key: string, msg: string, fields?: Record<string, unknown>): void {
    const state = this.#keys.get(key);
    if (state !== undefined) {
      state.level = level;
      const suppressed = state.suppressed;
      if (suppressed > 0) {
        state.suppressed = 0;
        fields = { ...fields, suppressed };
      }
    }
    this.#logger[level](msg, fields);
  }

  /** {@link admit}, then {@link emit} at debug level. Returns whether the line was written. */
  debug(key: string, msg: string, fields?: Record<string, unknown>): boolean {
    return this.#line("debug", key, msg, fields);
  }

  /** {@link admit}, then {@link emit} at info level. Returns whether the line was written. */
  info(key: string, msg: string, fields?: Record<string, unknown>): boolean {
    return this.#line("info", key, msg, fields);
  }

  /** {@link admit}, then {@link emit} at warn level. Returns whether the line was written. */
  warn(key: string, msg: string, fields?: Record<string, unknown>): boolean {
    return this.#line("warn", key, msg, fields);
  }

  /** {@link admit}, then {@link emit} at error level. Returns whether the line was written. */
  error(key: string, msg: string, fields?: Record<string, unknown>): boolean {
    return this.#line("error", key, msg, fields);
  }

  /**
   * Writes one {@link SUPPRESSED_MESSAGE} line (`key`, `suppressed`) for every key with lines
   * suppressed since its last line, at that line's level, and forgets keys whose window has
   * ended. Call it every {@link windowMs} and before exiting, so that no count is left unsaid.
   */
  flush(): void {
    const now = this.#now();
    for (const [key, state] of this.#keys) {
      if (state.suppressed > 0) this.#report(key, state);
      if (now - state.windowStartedAt >= this.#windowMs) this.#keys.delete(key);
    }
  }

  #line(level: LogLevelName, key: string, msg: string, fields: Record<string, unknown> | undefined): boolean {
    if (!this.admit(key)) return false;
    this.emit(level, key, msg, fields);
    return true;
  }

  #track(key: string, now: number): _KeyState {
    if (this.#keys.size >= this.#maxKeys) {
      const oldest = this.#keys.entries().next().value;
      if (oldest !== undefined) {
        if (oldest[1].suppressed > 0) this.#report(oldest[0], oldest[1]);
        this.#keys.delete(oldest[0]);
      }
    }
    const state: _KeyState = { windowStartedAt: now, written: 0, suppressed: 0, level: "info" };
    this.#keys.set(key, state);
    return state;
  }

  #report(key: string, state: _KeyState): void {
    const suppressed = state.suppressed;
    state.suppressed = 0;
    this.#logger[state.level](SUPPRESSED_MESSAGE, { key, suppressed });
  }
}

function _positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
