import assert from "node:assert/strict";
import type { Producer } from "kafkajs";
import { KafkaRecordSink } from "./kafka_record_sink.ts";

const record = { topic: "t", key: "k", value: new Uint8Array([1, 2]), headers: { h: "v" } };

/** A producer whose sendBatch answers from `outcomes` in turn (an Error rejects), then succeeds. */
function fakeProducer(outcomes: (Error | "ok")[]) {
  const calls: unknown[] = [];
  const producer = {
    sendBatch(batch: unknown) {
      calls.push(batch);
      const next = outcomes.shift() ?? "ok";
      return next === "ok" ? Promise.resolve([]) : Promise.reject(next);
    },
  } as unknown as Producer;
  return { producer, calls };
}

function kafkaError(type: string): Error {
  return Object.assign(new Error(type), { type });
}

Deno.test("KafkaRecordSink.write() retries transient failures with the same batch until Kafka takes it", async () => {
  const { producer, calls } = fakeProducer([new Error("Connection error"), kafkaError("NOT_LEADER_OR_FOLLOWER"), "ok"]);
  await new KafkaRecordSink(producer).write([record, { ...record, topic: "u", value: new Uint8Array([3]) }]);
  assert.equal(calls.length, 3);
  assert.deepEqual(calls[0], calls[2], "the same batch is resent");
  const batch = calls[0] as { acks: number; topicMessages: { topic: string; messages: unknown[] }[] };
  assert.equal(batch.acks, -1, "written with acks=all");
  assert.deepEqual(batch.topicMessages.map((t) => t.topic), ["t", "u"]);
});

Deno.test("KafkaRecordSink.write() fails at once on an error no retry can fix, even when it is wrapped", async () => {
  const { producer, calls } = fakeProducer([
    Object.assign(new Error("retries exceeded"), { originalError: kafkaError("MESSAGE_TOO_LARGE") }),
  ]);
  await assert.rejects(new KafkaRecordSink(producer).write([record]), /retries exceeded/);
  assert.equal(calls.length, 1);
});

Deno.test("KafkaRecordSink.write() stops retrying once its signal is aborted", async () => {
  const abort = new AbortController();
  const { producer, calls } = fakeProducer(Array.from({ length: 1000 }, () => new Error("broker down")));
  const writing = new KafkaRecordSink(producer, { signal: abort.signal }).write([record]);
  while (calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  abort.abort();
  await assert.rejects(writing, /broker down/);
  assert.ok(calls.length < 10);
});
