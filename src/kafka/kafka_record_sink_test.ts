import assert from "node:assert/strict";
import { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { OutboundRecord } from "../core/routing/record_sink.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { KafkaRecordSink } from "./kafka_record_sink.ts";

const record = { topic: "t", key: "k", value: new Uint8Array([1, 2]), headers: { h: "v" } };

/** Errors of this fake's `type` in PERMANENT are the ones no retry can fix, as in the kafkajs adapter. */
const PERMANENT = new Set(["MESSAGE_TOO_LARGE", "UNKNOWN_TOPIC_OR_PARTITION"]);

/** An adapter whose produce answers from `outcomes` in turn (an Error rejects), then succeeds. */
function fakeAdapter(outcomes: (Error | "ok")[]) {
  const calls: { records: readonly OutboundRecord[]; timeoutMs: number }[] = [];
  const adapter = {
    client: "fake",
    produce(records: readonly OutboundRecord[], timeoutMs: number) {
      calls.push({ records, timeoutMs });
      const next = outcomes.shift() ?? "ok";
      return next === "ok" ? Promise.resolve() : Promise.reject(next);
    },
    isPermanent(error: unknown) {
      for (let e = error as { type?: string; originalError?: unknown } | undefined; e;) {
        if (e.type !== undefined && PERMANENT.has(e.type)) return true;
        e = e.originalError as typeof e;
      }
      return false;
    },
  } as unknown as KafkaAdapter;
  return { producer: adapter, calls };
}

function kafkaError(type: string): Error {
  return Object.assign(new Error(type), { type });
}

Deno.test("KafkaRecordSink.write() retries transient failures with the same batch until Kafka takes it", async () => {
  const { producer, calls } = fakeAdapter([new Error("Connection error"), kafkaError("NOT_LEADER_OR_FOLLOWER"), "ok"]);
  await new KafkaRecordSink(producer).write([record, { ...record, topic: "u", value: new Uint8Array([3]) }]);
  assert.equal(calls.length, 3);
  assert.equal(calls[0]!.records, calls[2]!.records, "the same batch is resent");
  assert.deepEqual(calls[0]!.records.map((r) => r.topic), ["t", "u"]);
  assert.equal(calls[0]!.timeoutMs, 30_000, "with the default broker-side timeout");
});

Deno.test("KafkaRecordSink.write() fails at once on an error no retry can fix, even when it is wrapped", async () => {
  const { producer, calls } = fakeAdapter([
    Object.assign(new Error("retries exceeded"), { originalError: kafkaError("MESSAGE_TOO_LARGE") }),
  ]);
  await assert.rejects(new KafkaRecordSink(producer).write([record]), /retries exceeded/);
  assert.equal(calls.length, 1);
});

Deno.test("KafkaRecordSink.write() stops retrying once its signal is aborted", async () => {
  const abort = new AbortController();
  const { producer, calls } = fakeAdapter(Array.from({ length: 1000 }, () => new Error("broker down")));
  const writing = new KafkaRecordSink(producer, { signal: abort.signal }).write([record]);
  while (calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  abort.abort();
  await assert.rejects(writing, /broker down/);
  assert.ok(calls.length < 10);
});

/** A RateLimitedLog over a logger that records its lines. */
function recordingLog(limit: number) {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    lines.push({ level, msg, fields: fields ?? {} });
  const logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { lines, log: new RateLimitedLog(logger, { limit }) };
}

Deno.test("KafkaRecordSink.write() logs each retry as a warning and the recovery, within the rate limit", async () => {
  const { lines, log } = recordingLog(1);
  const { producer } = fakeAdapter([new Error("Connection error"), new Error("Connection error"), "ok"]);
  await new KafkaRecordSink(producer, { log }).write([record]);
  assert.deepEqual(lines.map((l) => [l.level, l.msg, l.fields.attempt ?? l.fields.attempts, l.fields.suppressed]), [
    ["warn", "kafka write failed; retrying the same batch", 1, undefined],
    ["info", "kafka write succeeded after retrying", 3, undefined],
  ]);
  log.flush();
  assert.deepEqual(lines.at(-1)?.fields, { key: "kafka.write-retry", suppressed: 1 }, "the second retry is counted");
});

Deno.test("KafkaRecordSink.write() logs an error no retry can fix as an error, with the error", async () => {
  const { lines, log } = recordingLog(10);
  const { producer } = fakeAdapter([kafkaError("UNKNOWN_TOPIC_OR_PARTITION")]);
  await assert.rejects(new KafkaRecordSink(producer, { log }).write([record, record]));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, "error");
  assert.equal(lines[0]!.msg, "kafka write failed");
  assert.deepEqual({ ...lines[0]!.fields, error: (lines[0]!.fields.error as Error).message }, {
    attempts: 1,
    records: 2,
    topics: ["t"],
    error: "UNKNOWN_TOPIC_OR_PARTITION",
  });
});

Deno.test("KafkaRecordSink.write() reports Kafka unwritable while it retries, and writable once a write lands", async () => {
  const told: boolean[] = [];
  const { producer } = fakeAdapter([kafkaError("NOT_ENOUGH_REPLICAS"), kafkaError("NOT_ENOUGH_REPLICAS"), "ok"]);
  const sink = new KafkaRecordSink(producer, { onWritable: (writable) => told.push(writable) });
  await sink.write([record]);
  assert.deepEqual(told, [false, false, true]);
  await sink.write([record]);
  assert.deepEqual(told, [false, false, true, true]);
});

Deno.test("KafkaRecordSink.write() reports Kafka unwritable when a write is still unanswered after the produce timeout", async () => {
  const told: boolean[] = [];
  const answer = Promise.withResolvers<void>();
  const adapter = {
    client: "fake",
    produce: () => answer.promise,
    isPermanent: () => false,
  } as unknown as KafkaAdapter;
  const sink = new KafkaRecordSink(adapter, { timeoutMs: 50, onWritable: (writable) => told.push(writable) });
  const writing = sink.write([record]);
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(told, [false], "one timeout without an answer");
  answer.resolve();
  await writing;
  assert.deepEqual(told, [false, true]);
});

Deno.test("KafkaRecordSink.write() retries refused credentials even when the client calls them permanent, telling onWritable why", async () => {
  const refused = Object.assign(new Error("SASL authentication failed."), {
    code: "PLT_KFK_AUTHENTICATION",
    type: "MESSAGE_TOO_LARGE", // the fake's way to have the adapter call it permanent
  });
  const { producer, calls } = fakeAdapter([refused, "ok"]);
  const heard: [boolean, unknown][] = [];
  await new KafkaRecordSink(producer, { onWritable: (writable, cause) => heard.push([writable, cause]) }).write([
    record,
  ]);
  assert.equal(calls.length, 2, "retried");
  assert.deepEqual(heard, [[false, refused], [true, undefined]]);
});
