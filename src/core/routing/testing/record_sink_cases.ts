/**
 * Test helper: what every {@link RecordSink} promises, whatever it writes to. Each implementation's
 * test wraps a sink over an end the test controls (a scripted Kafka adapter for `KafkaRecordSink`,
 * the test's own hand for the ingest tests' `FakeRecordSink`) in a {@link RecordSinkHarness} and
 * calls {@link recordSinkCases}. What only one sink does (retrying a transient failure, logging)
 * stays in that sink's own tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OutboundRecord, RecordSink } from "../record_sink.ts";

/** One write as it reached the end the sink writes to, settled by the test. */
export interface Delivery {
  readonly records: readonly OutboundRecord[];
  /** The end acknowledges every record of the write. */
  acknowledge(): void;
  /** The end refuses the write for good, with `cause`. */
  refuse(cause: Error): void;
}

/** A sink under test and the end it writes to. */
export interface RecordSinkHarness {
  readonly sink: RecordSink;
  /** Resolves with the `count`th write (1-based) to reach the end, once it has. */
  delivered(count: number): Promise<Delivery>;
}

/** Whether `promise` has settled once every pending job has run (it is observed, never left unhandled). */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return settled;
}

const records: readonly OutboundRecord[] = [
  { topic: "game.moves", key: "p1", value: new Uint8Array([1, 2, 3]), headers: { "veltrix-event-id": "e1" } },
  { topic: "game.treasure", key: null, value: '{"gold":3}', headers: {} },
  { topic: "game.moves", key: "p2", value: new Uint8Array(), headers: { a: "1", b: "2" } },
];

/**
 * Registers the shared RecordSink cases for the harnesses `makeHarness` makes: records reach the
 * end unchanged and in order; `write` resolves once the end acknowledges and not before; it
 * rejects with the end's cause when refused, and not before; concurrent writes settle apart.
 */
export function recordSinkCases(name: string, makeHarness: () => RecordSinkHarness): void {
  Deno.test(`${name}: write() hands the records to the end unchanged and in order`, async () => {
    const { sink, delivered } = makeHarness();
    const batch = records.map((record) => ({ ...record }));
    const writing = sink.write(batch);
    const delivery = await delivered(1);
    assert.deepEqual(delivery.records, records);
    delivery.acknowledge();
    await writing;
    assert.deepEqual(batch, records, "the caller's batch is left as it was");
  });

  Deno.test(`${name}: write() resolves once the end acknowledges the records, and not before`, async () => {
    const { sink, delivered } = makeHarness();
    const writing = sink.write(records);
    const delivery = await delivered(1);
    assert.equal(await hasSettled(writing), false, "settled before the acknowledgement");
    delivery.acknowledge();
    assert.equal(await writing, undefined);
  });

  Deno.test(`${name}: write() rejects with the cause when the end refuses the records, and not before`, async () => {
    const { sink, delivered } = makeHarness();
    const writing = sink.write(records);
    const delivery = await delivered(1);
    assert.equal(await hasSettled(writing), false, "settled before the refusal");
    const cause = new Error("MESSAGE_TOO_LARGE");
    delivery.refuse(cause);
    await assert.rejects(writing, (error) => error === cause);
  });

  Deno.test(`${name}: concurrent writes each settle on their own acknowledgement or refusal`, async () => {
    const { sink, delivered } = makeHarness();
    const first = sink.write(records.slice(0, 1));
    const second = sink.write(records.slice(1));
    const [one, two] = [await delivered(1), await delivered(2)];
    assert.deepEqual([one.records, two.records], [records.slice(0, 1), records.slice(1)]);
    two.acknowledge();
    await second;
    assert.equal(await hasSettled(first), false, "the first write settled with the second");
    const cause = new Error("refused");
    one.refuse(cause);
    await assert.rejects(first, (error) => error === cause);
  });
}
