/**
 * Test helper: a RecordSink whose writes stay pending until the test settles them.
 *
 * @module
 */
import type { OutboundRecord, RecordSink } from "../../../core/routing/record_sink.ts";

/** One call to the fake sink, settled by hand. */
export interface PendingWrite {
  readonly records: readonly OutboundRecord[];
  resolve(): void;
  reject(reason: unknown): void;
}

/** A RecordSink that keeps every write pending until the test resolves or rejects it. */
export class FakeRecordSink implements RecordSink {
  readonly writes: PendingWrite[] = [];
  #waiters: { count: number; wake: (write: PendingWrite) => void }[] = [];

  write(records: readonly OutboundRecord[]): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.writes.push({ records: [...records], resolve: () => resolve(), reject });
    this.#waiters = this.#waiters.filter((waiter) => {
      const write = this.writes[waiter.count - 1];
      if (write === undefined) return true;
      waiter.wake(write);
      return false;
    });
    return promise;
  }

  /** Resolves with the `count`th write (1-based) as soon as the batcher has made it. */
  written(count: number): Promise<PendingWrite> {
    const write = this.writes[count - 1];
    if (write !== undefined) return Promise.resolve(write);
    return new Promise((wake) => this.#waiters.push({ count, wake }));
  }

  /** The record keys of each write, in write order. */
  get batches(): string[][] {
    return this.writes.map((w) => w.records.map((r) => r.key ?? ""));
  }
}
