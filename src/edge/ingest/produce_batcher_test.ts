import assert from "node:assert/strict";
import { FakeRecordSink } from "./testing/fake_record_sink.ts";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";
import { extraLingerMs, ProduceBatcher, type ProduceBatcherOptions } from "./produce_batcher.ts";

/** Remembers every outcome it is told, in order. */
class RecordingListener implements DeliveryListener {
  readonly delivered_: string[] = [];
  readonly failed_: { id: string; error: VeltrixError }[] = [];

  delivered(id: string): void {
    this.delivered_.push(id);
  }

  failed(id: string, error: VeltrixError): void {
    this.failed_.push({ id, error });
  }
}

/** Lets every callback already due run (settled writes, their listeners); not a readiness wait. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const LONG_LINGER_MS = 60_000;

/** The linger and batching under test; the idle send is off unless a test turns it on. */
function options(overrides: Partial<ProduceBatcherOptions> = {}): ProduceBatcherOptions {
  return {
    lingerMs: LONG_LINGER_MS,
    idleSend: false,
    batchMaxEvents: 100,
    batchMaxBytes: 1_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents: 1_000,
    ...overrides,
  };
}

function record(id: string, topic = "game.treasure"): OutboundRecord {
  return { topic, key: id, value: `value of ${id}`, headers: { "veltrix-event-id": id } };
}

function submitEvent(
  batcher: ProduceBatcher,
  listener: DeliveryListener,
  id: string,
  bytes = 10,
  receivedAtMs?: number,
): boolean {
  return batcher.submit({ records: [record(id)], bytes }, listener, id, receivedAtMs);
}

Deno.test("ProduceBatcher sends a batch as soon as it holds batchMaxEvents events, without waiting for linger", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 3 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  await turn();
  assert.equal(sink.writes.length, 0, "two of three events must not be sent yet");
  submitEvent(batcher, listener, "e-3");
  await turn();
  assert.deepEqual(sink.batches, [["e-1", "e-2", "e-3"]]);
  sink.writes[0]!.resolve();
  await batcher.drain();
  assert.deepEqual(listener.delivered_, ["e-1", "e-2", "e-3"]);
});

Deno.test("ProduceBatcher sends every record of an event, in submit order, in one write", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 2 }));
  const listener = new RecordingListener();
  const first = [record("e-1", "game.treasure"), record("e-1", "game.leaderboard")];
  batcher.submit({ records: first, bytes: 20 }, listener, "e-1");
  batcher.submit({ records: [record("e-2", "game.player-activity")], bytes: 10 }, listener, "e-2");
  const write = await sink.written(1);
  assert.deepEqual(write.records, [...first, record("e-2", "game.player-activity")]);
  write.resolve();
  await batcher.drain();
});

Deno.test("ProduceBatcher sends a batch as soon as its bytes reach batchMaxBytes", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxBytes: 1_000 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1", 600);
  await turn();
  assert.equal(sink.writes.length, 0, "600 of 1000 bytes must not be sent yet");
  submitEvent(batcher, listener, "e-2", 400);
  await turn();
  assert.deepEqual(sink.batches, [["e-1", "e-2"]]);
  sink.writes[0]!.resolve();
  await batcher.drain();
});

Deno.test("ProduceBatcher sends an event larger than batchMaxBytes on its own at once", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxBytes: 1_000 }));
  submitEvent(batcher, new RecordingListener(), "huge", 5_000);
  await turn();
  assert.deepEqual(sink.batches, [["huge"]]);
  sink.writes[0]!.resolve();
  await batcher.drain();
});

Deno.test("ProduceBatcher sends a partial batch once its first event has lingered lingerMs", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ lingerMs: 5 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  assert.equal(sink.writes.length, 0, "nothing is sent before the linger ends");
  const write = await sink.written(1);
  assert.deepEqual(sink.batches, [["e-1", "e-2"]]);
  write.resolve();
  await batcher.drain();
  assert.deepEqual(listener.delivered_, ["e-1", "e-2"]);
});

/** A linger shorter than the gaps (1 s and more) of the quiet batchers below. */
const SHORT_LINGER_MS = 500;

Deno.test("ProduceBatcher sends a quiet batcher's event at the end of its turn, with the rest of its frame", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ idleSend: true, lingerMs: SHORT_LINGER_MS }));
  const listener = new RecordingListener();
  // Two events of one frame, the first the batcher has seen: one write, made before any timer could fire.
  submitEvent(batcher, listener, "e-1", 10, 1_000);
  submitEvent(batcher, listener, "e-2", 10, 1_000);
  assert.equal(sink.writes.length, 0, "the frame's events are gathered until its turn ends");
  await Promise.resolve();
  assert.deepEqual(sink.batches, [["e-1", "e-2"]]);
  sink.writes[0]!.resolve();
  await batcher.drain();
  assert.deepEqual(listener.delivered_, ["e-1", "e-2"]);
});

Deno.test("ProduceBatcher with idleSend off lets a quiet batcher's event linger", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ idleSend: false, lingerMs: SHORT_LINGER_MS }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1", 10, 1_000);
  await turn();
  assert.equal(sink.writes.length, 0);
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
});

/** Submits `count` events of one frame that arrived at `atMs`; their ids start with `prefix`. */
function submitFrame(batcher: ProduceBatcher, listener: DeliveryListener, prefix: string, count: number, atMs: number) {
  for (let i = 1; i <= count; i++) submitEvent(batcher, listener, `${prefix}-${i}`, 10, atMs);
}

Deno.test("ProduceBatcher lingers once its events come more often than one per lingerMs, on average", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ idleSend: true, lingerMs: 5 }));
  const listener = new RecordingListener();
  // A quiet batcher sends a frame of 40 at once; those 40 bring the average gap under 5 ms.
  submitFrame(batcher, listener, "a", 40, 1_000);
  (await sink.written(1)).resolve();
  await turn();
  submitEvent(batcher, listener, "b-1", 10, 1_001);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(sink.writes.length, 1, "b-1 lingers for company");
  submitEvent(batcher, listener, "b-2", 10, 1_002);
  const second = await sink.written(2);
  assert.deepEqual(second.records.map((r) => r.key), ["b-1", "b-2"]);
  second.resolve();
  // Quiet again for two seconds: the next event goes at once.
  submitEvent(batcher, listener, "c-1", 10, 3_002);
  (await sink.written(3)).resolve();
  await batcher.drain();
  assert.equal(listener.delivered_.length, 43);
});

Deno.test("ProduceBatcher sends a quiet batcher's event as soon as a write slot frees, not after a linger", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ idleSend: true, lingerMs: SHORT_LINGER_MS }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1", 10, 1_000);
  const first = await sink.written(1);
  // Quiet for 10 s, but the one write slot is taken: e-2 waits for it, not for the 500 ms linger.
  submitEvent(batcher, listener, "e-2", 10, 11_000);
  submitEvent(batcher, listener, "e-3", 10, 11_000);
  await turn();
  assert.deepEqual(sink.batches, [["e-1"]]);
  first.resolve();
  await turn();
  assert.deepEqual(sink.batches, [["e-1"], ["e-2", "e-3"]], "sent as the slot freed");
  sink.writes[1]!.resolve();
  await batcher.drain();
  assert.deepEqual(listener.delivered_, ["e-1", "e-2", "e-3"]);
});

Deno.test("ProduceBatcher starts a new linger for the batch after one that was sent full", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ lingerMs: 5, batchMaxEvents: 2 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  submitEvent(batcher, listener, "e-3");
  (await sink.written(1)).resolve();
  const second = await sink.written(2);
  assert.deepEqual(sink.batches, [["e-1", "e-2"], ["e-3"]]);
  second.resolve();
  await batcher.drain();
});

Deno.test("ProduceBatcher tells listeners delivered only after the sink's write resolves", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 2 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  const write = await sink.written(1);
  await turn();
  assert.deepEqual(listener.delivered_, [], "nothing is delivered while the write is pending");
  assert.equal(batcher.pendingEvents, 2);
  write.resolve();
  await turn();
  assert.deepEqual(listener.delivered_, ["e-1", "e-2"]);
  assert.deepEqual(listener.failed_, []);
  assert.equal(batcher.pendingEvents, 0);
});

Deno.test("ProduceBatcher tells each event's own listener about it", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 3 }));
  const alice = new RecordingListener();
  const bob = new RecordingListener();
  submitEvent(batcher, alice, "a-1");
  submitEvent(batcher, bob, "b-1");
  submitEvent(batcher, alice, "a-2");
  (await sink.written(1)).resolve();
  await batcher.drain();
  assert.deepEqual(alice.delivered_, ["a-1", "a-2"]);
  assert.deepEqual(bob.delivered_, ["b-1"]);
});

Deno.test("ProduceBatcher reports a rejected write as KAFKA_WRITE_FAILED for every event of the batch", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 3 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  submitEvent(batcher, listener, "e-3");
  const cause = new Error("not enough in-sync replicas");
  (await sink.written(1)).reject(cause);
  await batcher.drain();
  assert.deepEqual(listener.delivered_, []);
  assert.deepEqual(listener.failed_.map((f) => f.id), ["e-1", "e-2", "e-3"]);
  for (const { error } of listener.failed_) {
    assert.ok(error instanceof VeltrixError);
    assert.equal(error.code, "KAFKA_WRITE_FAILED");
    assert.match(error.message, /not enough in-sync replicas/);
    assert.equal(error.cause, cause);
  }
  assert.equal(batcher.pendingEvents, 0);
});

Deno.test("ProduceBatcher reports a write rejected with a non-Error as KAFKA_WRITE_FAILED", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  (await sink.written(1)).reject("connection reset");
  await batcher.drain();
  assert.equal(listener.failed_.length, 1);
  assert.equal(listener.failed_[0]!.error.code, "KAFKA_WRITE_FAILED");
  assert.match(listener.failed_[0]!.error.message, /connection reset/);
});

Deno.test("ProduceBatcher fails only the events of the rejected batch", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1, maxInFlightBatches: 2 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  (await sink.written(1)).reject(new Error("boom"));
  (await sink.written(2)).resolve();
  await batcher.drain();
  assert.deepEqual(listener.failed_.map((f) => f.id), ["e-1"]);
  assert.deepEqual(listener.delivered_, ["e-2"]);
});

Deno.test("ProduceBatcher keeps at most maxInFlightBatches writes outstanding and sends queued batches in order", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1, maxInFlightBatches: 2 }));
  const listener = new RecordingListener();
  for (const id of ["e-1", "e-2", "e-3", "e-4", "e-5"]) submitEvent(batcher, listener, id);
  await turn();
  assert.deepEqual(sink.batches, [["e-1"], ["e-2"]]);
  assert.equal(batcher.inFlightBatches, 2);

  sink.writes[1]!.resolve();
  await sink.written(3);
  await turn();
  assert.deepEqual(sink.batches, [["e-1"], ["e-2"], ["e-3"]], "one settled write lets exactly one more out");
  assert.equal(batcher.inFlightBatches, 2);

  sink.writes[0]!.resolve();
  sink.writes[2]!.resolve();
  await sink.written(5);
  assert.deepEqual(sink.batches, [["e-1"], ["e-2"], ["e-3"], ["e-4"], ["e-5"]]);
  assert.equal(batcher.inFlightBatches, 2);
  sink.writes[3]!.resolve();
  sink.writes[4]!.resolve();
  await batcher.drain();
  assert.equal(batcher.inFlightBatches, 0);
  assert.deepEqual(listener.delivered_.toSorted(), ["e-1", "e-2", "e-3", "e-4", "e-5"]);
});

Deno.test("ProduceBatcher with one write in flight sends and delivers batches strictly in submit order", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 2, maxInFlightBatches: 1 }));
  const listener = new RecordingListener();
  for (const id of ["e-1", "e-2", "e-3", "e-4", "e-5", "e-6"]) submitEvent(batcher, listener, id);
  for (let n = 1; n <= 3; n++) {
    const write = await sink.written(n);
    await turn();
    assert.equal(sink.writes.length, n, "the next batch waits for the write in flight");
    assert.equal(batcher.inFlightBatches, 1);
    write.resolve();
  }
  await batcher.drain();
  assert.deepEqual(sink.batches, [["e-1", "e-2"], ["e-3", "e-4"], ["e-5", "e-6"]]);
  assert.deepEqual(listener.delivered_, ["e-1", "e-2", "e-3", "e-4", "e-5", "e-6"]);
});

Deno.test("ProduceBatcher sends the next queued batch after a write fails too", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1, maxInFlightBatches: 1 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  (await sink.written(1)).reject(new Error("boom"));
  (await sink.written(2)).resolve();
  await batcher.drain();
  assert.deepEqual(sink.batches, [["e-1"], ["e-2"]]);
  assert.deepEqual(listener.delivered_, ["e-2"]);
});

Deno.test("ProduceBatcher.submit() refuses once maxPendingEvents are held, keeps nothing of the refused event", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1, maxPendingEvents: 2 }));
  const listener = new RecordingListener();
  assert.equal(submitEvent(batcher, listener, "e-1"), true);
  assert.equal(submitEvent(batcher, listener, "e-2"), true);
  assert.equal(submitEvent(batcher, listener, "refused"), false);
  assert.equal(batcher.pendingEvents, 2);

  (await sink.written(1)).resolve();
  (await sink.written(2)).resolve();
  await batcher.drain();
  assert.deepEqual(sink.batches, [["e-1"], ["e-2"]]);
  assert.deepEqual(listener.delivered_, ["e-1", "e-2"]);
  assert.deepEqual(listener.failed_, []);
});

Deno.test("ProduceBatcher.submit() accepts again once a batch settles", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 2, maxPendingEvents: 2 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  assert.equal(submitEvent(batcher, listener, "e-3"), false);
  (await sink.written(1)).resolve();
  await turn();
  assert.equal(submitEvent(batcher, listener, "e-3"), true);
  assert.equal(batcher.pendingEvents, 1);
  const drained = batcher.drain();
  (await sink.written(2)).resolve();
  await drained;
  assert.deepEqual(listener.delivered_, ["e-1", "e-2", "e-3"]);
});

Deno.test("ProduceBatcher.submit() accepts again once a batch fails", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1, maxPendingEvents: 1 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  assert.equal(submitEvent(batcher, listener, "e-2"), false);
  (await sink.written(1)).reject(new Error("boom"));
  await turn();
  assert.equal(submitEvent(batcher, listener, "e-2"), true);
  (await sink.written(2)).resolve();
  await batcher.drain();
  assert.deepEqual(listener.delivered_, ["e-2"]);
});

Deno.test("ProduceBatcher.pendingEvents counts events batched, queued and in flight until they settle", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 2, maxInFlightBatches: 1 }));
  const listener = new RecordingListener();
  assert.equal(batcher.pendingEvents, 0);
  for (const id of ["e-1", "e-2", "e-3", "e-4", "e-5"]) submitEvent(batcher, listener, id);
  // e-1, e-2 in flight; e-3, e-4 queued; e-5 batching.
  assert.equal(batcher.pendingEvents, 5);
  assert.equal(batcher.inFlightBatches, 1);

  (await sink.written(1)).resolve();
  await sink.written(2);
  await turn();
  assert.equal(batcher.pendingEvents, 3);

  sink.writes[1]!.reject(new Error("boom"));
  await turn();
  assert.equal(batcher.pendingEvents, 1, "failed events are no longer pending");

  const drained = batcher.drain();
  (await sink.written(3)).resolve();
  await drained;
  assert.equal(batcher.pendingEvents, 0);
});

Deno.test("ProduceBatcher.drain() sends a partial batch at once and resolves only when nothing is pending", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options());
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  let drained = false;
  const draining = batcher.drain().then(() => drained = true);
  await turn();
  assert.deepEqual(sink.batches, [["e-1"]], "drain does not wait for the linger");
  assert.equal(drained, false, "drain waits for the write");
  sink.writes[0]!.resolve();
  await draining;
  assert.equal(batcher.pendingEvents, 0);
  assert.deepEqual(listener.delivered_, ["e-1"]);
});

Deno.test("ProduceBatcher.drain() waits for queued batches as well as the one in flight", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 1, maxInFlightBatches: 1 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  submitEvent(batcher, listener, "e-2");
  let drained = false;
  const draining = batcher.drain().then(() => drained = true);
  (await sink.written(1)).resolve();
  await sink.written(2);
  await turn();
  assert.equal(drained, false, "e-2 is still in flight");
  sink.writes[1]!.resolve();
  await draining;
  assert.deepEqual(listener.delivered_, ["e-1", "e-2"]);
});

Deno.test("ProduceBatcher.drain() resolves once failed batches settle", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options());
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  const draining = batcher.drain();
  (await sink.written(1)).reject(new Error("boom"));
  await draining;
  assert.deepEqual(listener.failed_.map((f) => f.id), ["e-1"]);
});

Deno.test("ProduceBatcher.drain() resolves at once when nothing is pending, and sends nothing", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options());
  await batcher.drain();
  assert.equal(sink.writes.length, 0);
});

Deno.test("ProduceBatcher.drain() wakes every caller", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options());
  submitEvent(batcher, new RecordingListener(), "e-1");
  const first = batcher.drain();
  const second = batcher.drain();
  assert.equal(sink.writes.length, 1, "a second drain does not send an empty batch");
  sink.writes[0]!.resolve();
  await Promise.all([first, second]);
  assert.equal(batcher.pendingEvents, 0);
});

Deno.test("ProduceBatcher keeps telling other listeners when one listener throws", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 3, maxInFlightBatches: 1 }));
  const throwing: DeliveryListener = {
    delivered() {
      throw new Error("listener bug");
    },
    failed() {
      throw new Error("listener bug");
    },
  };
  const before = new RecordingListener();
  const after = new RecordingListener();
  batcher.submit({ records: [record("b-1")], bytes: 10 }, before, "b-1");
  batcher.submit({ records: [record("t-1")], bytes: 10 }, throwing, "t-1");
  batcher.submit({ records: [record("a-1")], bytes: 10 }, after, "a-1");
  batcher.submit({ records: [record("b-2")], bytes: 10 }, before, "b-2");
  batcher.submit({ records: [record("t-2")], bytes: 10 }, throwing, "t-2");
  batcher.submit({ records: [record("a-2")], bytes: 10 }, after, "a-2");

  (await sink.written(1)).resolve();
  (await sink.written(2)).reject(new Error("boom"));
  await batcher.drain();
  assert.deepEqual(before.delivered_, ["b-1"]);
  assert.deepEqual(after.delivered_, ["a-1"]);
  assert.deepEqual(before.failed_.map((f) => f.id), ["b-2"]);
  assert.deepEqual(after.failed_.map((f) => f.id), ["a-2"]);
  assert.equal(batcher.pendingEvents, 0);
  assert.equal(batcher.inFlightBatches, 0);
});

Deno.test("ProduceBatcher.drain(timeout) fails what Kafka has not acknowledged by the deadline, and ignores the late answer", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ batchMaxEvents: 2 }));
  const listener = new RecordingListener();
  for (const id of ["in-flight-1", "in-flight-2", "queued-1", "queued-2", "open-1"]) submitEvent(batcher, listener, id);
  const write = await sink.written(1);
  const left = await batcher.drain(20);
  assert.equal(left, 5, "every pending event failed: the one in flight, the queued batch and the open one");
  assert.deepEqual(listener.delivered_, []);
  assert.deepEqual(
    listener.failed_.map((f) => [f.id, f.error.code]),
    ["in-flight-1", "in-flight-2", "queued-1", "queued-2", "open-1"].map((id) => [id, "KAFKA_WRITE_FAILED"]),
  );
  assert.equal(batcher.pendingEvents, 0);
  write.resolve();
  await turn();
  assert.deepEqual(listener.delivered_, [], "a write that lands after the deadline tells no one twice");
  assert.equal(batcher.pendingEvents, 0);
});

Deno.test("ProduceBatcher.drain(timeout) resolves with 0 when Kafka acknowledges everything in time", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options());
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "e-1");
  const draining = batcher.drain(60_000);
  (await sink.written(1)).resolve();
  assert.equal(await draining, 0);
  assert.deepEqual(listener.delivered_, ["e-1"]);
});

Deno.test("ProduceBatcher keeps gathering past the linger while every write slot is taken, then sends one batch", async () => {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, options({ lingerMs: 1 }));
  const listener = new RecordingListener();
  submitEvent(batcher, listener, "first");
  const first = await sink.written(1);
  for (const id of ["a", "b"]) submitEvent(batcher, listener, id);
  await new Promise((resolve) => setTimeout(resolve, 20));
  submitEvent(batcher, listener, "c");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(sink.writes.length, 1, "nothing else is written while the only write slot is taken");
  first.resolve();
  const second = await sink.written(2);
  assert.deepEqual(second.records.map((r) => r.key), ["a", "b", "c"], "what lingered meanwhile goes as one batch");
  second.resolve();
  await batcher.drain();
  assert.deepEqual(listener.delivered_, ["first", "a", "b", "c"]);
});

Deno.test("extraLingerMs() keeps the plain linger at light load and waits toward the target under load, within the budget", () => {
  // 1,000 ev/s: 2 events after 2 ms would be 8 by the 8 ms budget, under an eighth of 128: send now.
  assert.equal(extraLingerMs(2, 2, 128, 8), 0);
  // 4,000 ev/s: 8 events after 2 ms would be 32 by the budget: wait out the budget (6 ms more).
  assert.equal(extraLingerMs(8, 2, 128, 8), 6);
  // 16,000 ev/s: 32 events after 2 ms reach 128 at 8 ms: wait 6 ms more.
  assert.equal(extraLingerMs(32, 2, 128, 8), 6);
  // 24,000 ev/s: 48 events after 2 ms reach 128 at about 5.3 ms.
  assert.ok(Math.abs(extraLingerMs(48, 2, 128, 8) - (2 * 128 / 48 - 2)) < 1e-9);
  // Already at the target, past the budget, or adaptive batching off (target 0): no wait.
  assert.equal(extraLingerMs(200, 2, 128, 8), 0);
  assert.equal(extraLingerMs(30, 9, 128, 8), 0);
  assert.equal(extraLingerMs(32, 2, 0, 8), 0);
});
