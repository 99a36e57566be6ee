import assert from "node:assert/strict";
import type { Logger } from "./logger.ts";
import { RateLimitedLog, type RateLimitedLogOptions, SUPPRESSED_MESSAGE } from "./rate_limited_log.ts";

interface Line {
  level: string;
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** A RateLimitedLog over a logger that records its lines, on a clock the test moves. */
function setup(options: RateLimitedLogOptions = {}) {
  const lines: Line[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, fields });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const clock = { ms: 1_000_000 };
  const log = new RateLimitedLog(logger, { now: () => clock.ms, ...options });
  return { log, lines, clock };
}

Deno.test("RateLimitedLog writes the first `limit` lines of a key within a window and suppresses the rest", () => {
  const { log, lines } = setup({ limit: 3 });
  const written = Array.from({ length: 10 }, (_, i) => log.warn("reject:RATE_LIMITED", "event rejected", { i }));
  assert.deepEqual(written, [true, true, true, false, false, false, false, false, false, false]);
  assert.deepEqual(lines.map((l) => [l.level, l.msg, l.fields?.i]), [
    ["warn", "event rejected", 0],
    ["warn", "event rejected", 1],
    ["warn", "event rejected", 2],
  ]);
});

Deno.test("RateLimitedLog: the next line of a key after suppression carries how many were suppressed", () => {
  const { log, lines, clock } = setup({ limit: 2, windowMs: 10_000 });
  for (let i = 0; i < 7; i++) log.info("connection.opened", "connection opened", { i });
  clock.ms += 10_000;
  log.info("connection.opened", "connection opened", { i: 7 });
  log.info("connection.opened", "connection opened", { i: 8 });
  assert.deepEqual(lines.map((l) => l.fields), [{ i: 0 }, { i: 1 }, { i: 7, suppressed: 5 }, { i: 8 }]);
});

Deno.test("RateLimitedLog limits each key on its own", () => {
  const { log, lines } = setup({ limit: 1 });
  log.warn("reject:RATE_LIMITED", "event rejected");
  log.warn("reject:RATE_LIMITED", "event rejected");
  log.warn("reject:INVALID_EVENT", "event rejected");
  log.info("connection.opened", "connection opened");
  assert.equal(lines.length, 3);
});

Deno.test("RateLimitedLog lets a key write again once its window has passed, and not before", () => {
  const { log, clock } = setup({ limit: 1, windowMs: 5_000 });
  assert.equal(log.warn("k", "m"), true);
  clock.ms += 4_999;
  assert.equal(log.warn("k", "m"), false);
  clock.ms += 1;
  assert.equal(log.warn("k", "m"), true);
  assert.equal(log.warn("k", "m"), false);
});

Deno.test("RateLimitedLog.admit() is the cheap check: a suppressed line reaches no logger and is still counted", () => {
  const { log, lines } = setup({ limit: 1 });
  let built = 0;
  const fields = () => ({ built: ++built });
  for (let i = 0; i < 1_000; i++) {
    if (log.admit("reject:INVALID_FRAME")) log.emit("warn", "reject:INVALID_FRAME", "frame rejected", fields());
  }
  assert.equal(built, 1, "fields are built only for the line written");
  assert.equal(lines.length, 1);
  log.flush();
  assert.deepEqual(lines[1], {
    level: "warn",
    msg: SUPPRESSED_MESSAGE,
    fields: { key: "reject:INVALID_FRAME", suppressed: 999 },
  });
});

Deno.test("RateLimitedLog.flush() writes one line per key with suppressed lines, at the key's level, once", () => {
  const { log, lines } = setup({ limit: 1 });
  for (let i = 0; i < 4; i++) log.error("kafka.write-failed", "kafka write failed");
  for (let i = 0; i < 3; i++) log.info("connection.closed", "connection closed");
  log.info("connection.opened", "connection opened");
  lines.length = 0;
  log.flush();
  assert.deepEqual(lines, [
    { level: "error", msg: SUPPRESSED_MESSAGE, fields: { key: "kafka.write-failed", suppressed: 3 } },
    { level: "info", msg: SUPPRESSED_MESSAGE, fields: { key: "connection.closed", suppressed: 2 } },
  ]);
  lines.length = 0;
  log.flush();
  assert.deepEqual(lines, [], "a count is reported once");
});

Deno.test("RateLimitedLog: a count reported by flush() is not carried again by the next line", () => {
  const { log, lines, clock } = setup({ limit: 1, windowMs: 1_000 });
  log.warn("k", "m");
  log.warn("k", "m");
  log.flush();
  clock.ms += 1_000;
  log.warn("k", "m");
  assert.deepEqual(lines.map((l) => [l.msg, l.fields?.suppressed]), [
    ["m", undefined],
    [SUPPRESSED_MESSAGE, 1],
    ["m", undefined],
  ]);
});

Deno.test("RateLimitedLog.flush() forgets keys whose window has ended", () => {
  const { log, clock } = setup({ windowMs: 1_000 });
  log.info("a", "m");
  clock.ms += 500;
  log.info("b", "m");
  clock.ms += 500;
  log.flush();
  assert.equal(log.size, 1, "a's window ended, b's has not");
  clock.ms += 500;
  log.flush();
  assert.equal(log.size, 0);
});

Deno.test("RateLimitedLog tracks at most maxKeys keys, reporting the suppressed count of a key it drops", () => {
  const { log, lines } = setup({ limit: 1, maxKeys: 3 });
  log.warn("k0", "m");
  log.warn("k0", "m");
  for (let i = 1; i < 100; i++) log.warn(`k${i}`, "m");
  assert.equal(log.size, 3);
  assert.deepEqual(lines.filter((l) => l.msg === SUPPRESSED_MESSAGE).map((l) => l.fields), [
    { key: "k0", suppressed: 1 },
  ]);
});

Deno.test("RateLimitedLog refuses bounds that are not positive integers", () => {
  const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  for (const options of [{ limit: 0 }, { windowMs: -1 }, { maxKeys: 1.5 }, { limit: NaN }]) {
    assert.throws(() => new RateLimitedLog(logger, options), RangeError, JSON.stringify(options));
  }
});
