import assert from "node:assert/strict";
import { encodeRoutedEventBinary, type OutboundRecord, PROTOBUF_CONTENT_TYPE } from "../core/mod.ts";
import type { GroupBatch, GroupConsumerRun, GroupRecord, KafkaGroupConsumer } from "../kafka/mod.ts";
import { ConsumerRunner, type ConsumerRunnerOptions } from "./consumer_runner.ts";
import { POISON_HEADERS } from "./poison_record.ts";
import type { RoutedEvent } from "./routed_event.ts";

/** A group member driven by the test: it hands over the batches the test gives it. */
class ScriptedConsumer implements KafkaGroupConsumer {
  run_: GroupConsumerRun | undefined;
  commits: string[] = [];
  active = true;
  stopped = false;
  run(run: GroupConsumerRun): Promise<void> {
    this.run_ = run;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
  deliver(batch: GroupBatch): Promise<void> {
    return this.run_!.onBatch(batch, {
      commit: (next) => {
        this.commits.push(next);
        return Promise.resolve();
      },
      advance: () => {},
      heartbeat: () => Promise.resolve(),
      isActive: () => this.active,
    });
  }
}

function record(offset: number, id: string, partition = 0): GroupRecord {
  const value = encodeRoutedEventBinary({ id, type: "treasure.collected", data: { gold: offset } }, {
    player: "p1",
    receivedAtMs: 1_000,
    edgeId: "edge-a",
    routeVersion: "1",
  });
  return {
    topic: "t",
    partition,
    offset: String(offset),
    timestampMs: 1_000,
    key: new TextEncoder().encode("p1"),
    value,
    headers: { "content-type": PROTOBUF_CONTENT_TYPE, "veltrix-event-id": id },
  };
}

function setUp(handler: (event: RoutedEvent) => void | Promise<void>, options: Partial<ConsumerRunnerOptions> = {}) {
  const consumer = new ScriptedConsumer();
  const poisoned: OutboundRecord[] = [];
  const runner = new ConsumerRunner({
    consumer,
    groupId: "g1",
    topics: ["t"],
    handler,
    poison: {
      topic: "t.poison",
      sink: {
        write: (records) => {
          poisoned.push(...records);
          return Promise.resolve();
        },
      },
    },
    retryDelayMs: 1,
    maxAttempts: 3,
    ...options,
  });
  return { consumer, poisoned, runner };
}

Deno.test("ConsumerRunner handles each event once, skips a second copy by id, and commits after the batch", async () => {
  const seen: string[] = [];
  const { consumer, runner } = setUp((event) => void seen.push(event.id));
  await runner.start();
  await consumer.deliver({ topic: "t", partition: 0, records: [record(0, "a"), record(1, "b"), record(2, "a")] });
  await consumer.deliver({ topic: "t", partition: 0, records: [record(3, "b"), record(4, "c")] });
  assert.deepEqual(seen, ["a", "b", "c"]);
  assert.deepEqual(consumer.commits, ["3", "5"]);
  assert.deepEqual(runner.stats, { handled: 3, duplicates: 2, poisoned: 0, failures: 0 });
});

Deno.test("ConsumerRunner tries a failing handler maxAttempts times, then sets the record aside with the error", async () => {
  let tries = 0;
  const { consumer, poisoned, runner } = setUp((event) => {
    if (event.id === "bad") {
      tries++;
      throw new Error("chest not found");
    }
  });
  await runner.start();
  await consumer.deliver({ topic: "t", partition: 0, records: [record(7, "bad"), record(8, "ok")] });
  assert.equal(tries, 3);
  assert.equal(poisoned.length, 1);
  const [aside] = poisoned;
  assert.equal(aside!.topic, "t.poison");
  assert.equal(aside!.key, "p1");
  assert.deepEqual(aside!.value, record(7, "bad").value);
  assert.equal(aside!.headers["veltrix-event-id"], "bad");
  assert.equal(aside!.headers[POISON_HEADERS.error], "chest not found");
  assert.equal(aside!.headers[POISON_HEADERS.code], "HANDLER_FAILED");
  assert.equal(aside!.headers[POISON_HEADERS.source], "t/0/7");
  assert.equal(aside!.headers[POISON_HEADERS.attempts], "3");
  assert.equal(aside!.headers[POISON_HEADERS.group], "g1");
  assert.deepEqual(consumer.commits, ["9"]);
  assert.deepEqual(runner.stats, { handled: 1, duplicates: 0, poisoned: 1, failures: 3 });
});

Deno.test("ConsumerRunner sets a record that is not a Veltrix record aside at once, without calling the handler", async () => {
  const seen: string[] = [];
  const { consumer, poisoned, runner } = setUp((event) => void seen.push(event.id));
  await runner.start();
  const stranger = { ...record(0, "x"), headers: { "content-type": "text/plain" } };
  await consumer.deliver({ topic: "t", partition: 0, records: [stranger, record(1, "y")] });
  assert.deepEqual(seen, ["y"]);
  assert.equal(poisoned[0]!.headers[POISON_HEADERS.code], "INVALID_RECORD");
  assert.equal(poisoned[0]!.headers[POISON_HEADERS.attempts], "0");
  assert.deepEqual(consumer.commits, ["2"]);
});

Deno.test("ConsumerRunner stopped between tries commits only what it finished and leaves the rest to come again", async () => {
  const holder: { runner?: ConsumerRunner } = {};
  const set = setUp((event) => {
    if (event.id === "slow") {
      void holder.runner!.stop();
      throw new Error("try again");
    }
  }, { retryDelayMs: 60_000 });
  const runner = holder.runner = set.runner;
  await runner.start();
  await set.consumer.deliver({
    topic: "t",
    partition: 0,
    records: [record(0, "a"), record(1, "slow"), record(2, "b")],
  });
  assert.deepEqual(set.consumer.commits, ["1"]);
  assert.equal(set.poisoned.length, 0);
  assert.equal(set.consumer.stopped, true);
  assert.equal(runner.stats.handled, 1);
});

Deno.test("ConsumerRunner stops a batch whose partition was revoked, committing what it handled", async () => {
  const { consumer, runner } = setUp((event) => {
    if (event.id === "b") consumer.active = false;
  });
  await runner.start();
  await consumer.deliver({ topic: "t", partition: 0, records: [record(0, "a"), record(1, "b"), record(2, "c")] });
  assert.deepEqual(consumer.commits, ["2"]);
  assert.equal(runner.stats.handled, 2);
});
