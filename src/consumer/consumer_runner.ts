import { type Logger, type RecordSink, VeltrixError } from "../core/mod.ts";
import type {
  BatchControl,
  GroupBatch,
  GroupRecord,
  KafkaGroupConsumer,
  StartPosition,
  TopicPartition,
} from "../kafka/mod.ts";
import { decodeRoutedEvent } from "./decode_routed_event.ts";
import { DedupeWindow } from "./dedupe_window.ts";
import type { EventIdStore } from "./event_id_store.ts";
import { poisonRecord } from "./poison_record.ts";
import type { RoutedEvent } from "./routed_event.ts";

/** Handles one event; throws to have it tried again (and, after `maxAttempts`, set aside). */
export type EventHandler = (event: RoutedEvent, record: GroupRecord) => Promise<void> | void;

/** Where records the handler keeps failing on go. */
export interface PoisonOptions {
  /** The topic that receives them, with the error in headers (see `POISON_HEADERS`). */
  readonly topic: string;
  /** Writes the poison records (a `KafkaRecordSink`). */
  readonly sink: RecordSink;
}

/** How a {@link ConsumerRunner} runs. */
export interface ConsumerRunnerOptions {
  /** The group member to run over (see `kafkaGroupConsumers` in `src/kafka/`). */
  readonly consumer: KafkaGroupConsumer;
  /** The consumer group's id, written on poison records. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: EventHandler;
  readonly poison: PoisonOptions;
  /** Where handled event ids are kept. @default new DedupeWindow() */
  readonly store?: EventIdStore;
  /** Tries of the handler per record before it is set aside. @default 5 */
  readonly maxAttempts?: number;
  /** The wait after the first failed try; it doubles after each. @default 100 */
  readonly retryDelayMs?: number;
  /** Where a partition with no committed offset starts. @default { from: "earliest" } */
  readonly start?: StartPosition;
  readonly logger?: Logger;
  /** Told of each offset committed (the next offset to read on that partition). */
  readonly onCommit?: (partition: TopicPartition, nextOffset: string) => void;
}

/** What a runner has done so far. */
export interface ConsumerRunnerStats {
  /** Events the handler succeeded on. */
  handled: number;
  /** Records skipped because the store had their event id. */
  duplicates: number;
  /** Records set aside on the poison topic. */
  poisoned: number;
  /** Failed tries of the handler. */
  failures: number;
}

/**
 * A consumer-group loop over a {@link KafkaGroupConsumer}: each record is decoded, skipped when its
 * event id is in the store, else handled, with retries; a record the handler keeps failing on (or
 * one that is not a Veltrix record) goes to the poison topic. The offset after a batch is committed
 * only once every record of it is handled or set aside: delivery is at least once, and the store
 * turns it into effectively once. `stop()` lets the record in hand finish, commits what was
 * handled, and leaves the group.
 */
export class ConsumerRunner {
  readonly stats: ConsumerRunnerStats = { handled: 0, duplicates: 0, poisoned: 0, failures: 0 };
  readonly #options: ConsumerRunnerOptions;
  readonly #store: EventIdStore;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #stopping = new AbortController();

  constructor(options: ConsumerRunnerOptions) {
    this.#options = options;
    this.#store = options.store ?? new DedupeWindow();
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
  }

  /** Joins the group and starts handling; resolves once joined. */
  async start(): Promise<void> {
    await this.#options.consumer.run({
      topics: this.#options.topics,
      start: this.#options.start ?? { from: "earliest" },
      onBatch: (batch, control) => this.#onBatch(batch, control),
      onAssignment: (partitions) =>
        this.#options.logger?.info("consumer partitions assigned", {
          partitions: partitions.map((p) => `${p.topic}/${p.partition}`),
        }),
      onCrash: (error) => this.#options.logger?.error("consumer stopped on an error", { error }),
    });
  }

  /** Finishes the record in hand, commits what was handled, leaves the group. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#options.consumer.stop();
  }

  async #onBatch(batch: GroupBatch, control: BatchControl): Promise<void> {
    let next: string | undefined;
    try {
      for (const record of batch.records) {
        if (!control.isActive() || this.#stopping.signal.aborted) break;
        if (!await this.#onRecord(record, control)) break;
        next = String(BigInt(record.offset) + 1n);
      }
    } finally {
      if (next !== undefined) await this.#commit(batch, control, next);
    }
  }

  async #commit(partition: TopicPartition, control: BatchControl, next: string): Promise<void> {
    try {
      await control.commit(next);
      this.#options.onCommit?.({ topic: partition.topic, partition: partition.partition }, next);
    } catch (error) {
      // A revoked partition's commit is refused; its new owner handles the rest, the store dedupes.
      this.#options.logger?.warn("consumer commit failed; the records will come again", { error });
    }
  }

  /**
   * Handles, skips or sets aside one record. Returns false when it was left unfinished (the runner
   * stops, or the partition moved, between tries): that record and the rest come again.
   */
  async #onRecord(record: GroupRecord, control: BatchControl): Promise<boolean> {
    let event: RoutedEvent;
    try {
      event = decodeRoutedEvent(record);
    } catch (error) {
      await this.#setAside(record, VeltrixError.from(error, "INVALID_RECORD"), 0);
      return true;
    }
    if (await this.#store.has(record, event.id)) {
      this.stats.duplicates++;
      return true;
    }
    for (let attempt = 1;; attempt++) {
      try {
        await this.#options.handler(event, record);
        this.stats.handled++;
        break;
      } catch (error) {
        this.stats.failures++;
        if (attempt >= this.#maxAttempts) {
          await this.#setAside(record, error, attempt);
          break;
        }
        this.#options.logger?.warn("consumer handler failed; trying again", { id: event.id, attempt, error });
        await wait(this.#retryDelayMs * 2 ** Math.min(attempt - 1, 10), this.#stopping.signal);
        if (this.#stopping.signal.aborted || !control.isActive()) return false;
        await control.heartbeat();
      }
    }
    // A copy of a record set aside is skipped too: it would fail the same way.
    await this.#store.add(record, event.id);
    return true;
  }

  async #setAside(record: GroupRecord, error: unknown, attempts: number): Promise<void> {
    const code = error instanceof VeltrixError ? error.code : "HANDLER_FAILED";
    const message = error instanceof Error ? error.message : String(error);
    const { topic, sink } = this.#options.poison;
    await sink.write([poisonRecord(record, topic, { code, message, attempts, group: this.#options.groupId })]);
    this.stats.poisoned++;
    this.#options.logger?.warn("consumer set a record aside", {
      source: `${record.topic}/${record.partition}/${record.offset}`,
      code,
      message,
      attempts,
    });
  }
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
