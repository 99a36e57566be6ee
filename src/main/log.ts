import type { Logger } from "../core/ops/logger.ts";
import { RateLimitedLog } from "../core/ops/rate_limited_log.ts";

export type { Logger };

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** True when `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(rank, value);
}

/** A logger that writes one JSON object per line, at `level` and above through `write` (stderr by default). */
export function createLogger(
  level: LogLevel,
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  const at = (lineLevel: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (rank[lineLevel] < rank[level]) return;
    write(JSON.stringify({ ts: new Date().toISOString(), level: lineLevel, msg, ...base, ...fields }, errorReplacer));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * A rate-limited log over `logger` whose suppressed counts are written every window; `stop`
 * writes the last counts and ends the timer.
 */
export function startRateLimitedLog(logger: Logger, limit: number): { log: RateLimitedLog; stop(): void } {
  const log = new RateLimitedLog(logger, { limit });
  const timer = setInterval(() => log.flush(), log.windowMs);
  Deno.unrefTimer(timer);
  return {
    log,
    stop() {
      clearInterval(timer);
      log.flush();
    },
  };
}
