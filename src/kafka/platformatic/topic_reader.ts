import { Admin, Consumer, type Message, type MessagesStream, MessagesStreamModes } from "@platformatic/kafka";
import type { Buffer } from "node:buffer";
import type { Logger } from "../../core/ops/logger.ts";
import { backoffDelayMs, sleep } from "../retry.ts";
import type { ConsumedRecord } from "../kafka_adapter.ts";
import type { KafkaConnection } from "../kafka_security.ts";
import { platformaticSecurity } from "./platformatic_security.ts";

/** Where a {@link TopicReader} reads. */
export interface TopicReaderOptions {
  readonly clientId: string;
  readonly connection: KafkaConnection;
  readonly logger: Logger;
}

/** Longest a close waits for the consumer to leave and its group to be deleted. */
const CLOSE_BUDGET_MS = 5_000;

/**
 * Reads one topic from its first offset on, through platformatic's group consumer, without ever
 * committing. The client has no group-less subscription, so each reader joins a consumer group of
 * its own (a random id) and deletes that group when it closes, leaving nothing behind on the
 * cluster. When the stream fails past the client's retries (the broker was gone too long), the
 * reader starts over from the first offset with a fresh group, backing off: records are then
 * handed over again, as kafkajs does after a rejoin without commits.
 */
export class TopicReader {
  readonly #options: TopicReaderOptions;
  readonly #topic: string;
  readonly #onRecord: (record: ConsumedRecord) => Promise<void>;
  readonly #stopping = new AbortController();
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #groups: string[] = [];
  #reading: Promise<void> = Promise.resolve();

  constructor(options: TopicReaderOptions, topic: string, onRecord: (record: ConsumedRecord) => Promise<void>) {
    this.#options = options;
    this.#topic = topic;
    this.#onRecord = onRecord;
  }

  /** Joins a fresh group and starts reading; resolves once the stream is open. */
  async start(): Promise<void> {
    await this.#open();
    this.#reading = this.#readUntilClosed();
  }

  /** Stops reading, leaves and deletes the group; never throws, and gives up after a few seconds. */
  async close(): Promise<void> {
    this.#stopping.abort();
    await withinBudget(this.#closeConsumer().then(() => this.#reading).then(() => this.#deleteGroups()));
  }

  async #open(): Promise<void> {
    const groupId = `veltrix-reader-${crypto.randomUUID()}`;
    this.#groups.push(groupId);
    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      clientId: this.#options.clientId,
      bootstrapBrokers: [...this.#options.connection.brokers],
      ...platformaticSecurity(this.#options.connection.security),
      groupId,
      autocommit: false,
      maxWaitTime: 500,
      retries: 5,
      retryDelay: 500,
    });
    this.#consumer = consumer;
    try {
      this.#stream = await consumer.consume({
        topics: [this.#topic],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: false,
      });
    } catch (error) {
      await this.#closeConsumer();
      throw error;
    }
  }

  async #readUntilClosed(): Promise<void> {
    for (let failures = 0; !this.#stopping.signal.aborted;) {
      try {
        for await (const message of this.#stream! as AsyncIterable<Message<Buffer, Buffer, Buffer, Buffer>>) {
          failures = 0;
          await this.#onRecord({ key: message.key ?? null, value: message.value ?? null });
          if (this.#stopping.signal.aborted) return;
        }
        if (this.#stopping.signal.aborted) return;
        throw new Error("the record stream ended");
      } catch (error) {
        if (this.#stopping.signal.aborted) return;
        failures++;
        const delayMs = backoffDelayMs(failures, { initialDelayMs: 500, maxDelayMs: 10_000 });
        this.#options.logger.warn("kafka topic reader failed; reading again from the start", {
          topic: this.#topic,
          delayMs,
          error,
        });
        await this.#closeConsumer();
        await sleep(delayMs, this.#stopping.signal);
        while (!this.#stopping.signal.aborted) {
          try {
            await this.#open();
            break;
          } catch (openError) {
            failures++;
            this.#options.logger.warn("kafka topic reader cannot join its group yet", {
              topic: this.#topic,
              error: openError,
            });
            await sleep(backoffDelayMs(failures, { initialDelayMs: 500, maxDelayMs: 10_000 }), this.#stopping.signal);
          }
        }
      }
    }
  }

  async #closeConsumer(): Promise<void> {
    const stream = this.#stream, consumer = this.#consumer;
    this.#stream = undefined;
    this.#consumer = undefined;
    await stream?.close().catch(() => {});
    await consumer?.close(true).catch(() => {});
  }

  async #deleteGroups(): Promise<void> {
    const groups = this.#groups;
    this.#groups = [];
    if (groups.length === 0) return;
    const admin = new Admin({
      clientId: this.#options.clientId,
      bootstrapBrokers: [...this.#options.connection.brokers],
      ...platformaticSecurity(this.#options.connection.security),
      retries: 1,
      retryDelay: 250,
    });
    try {
      // One group at a time: a group that was never created (the join failed) fails on its own.
      for (const group of groups) await admin.deleteGroups({ groups: [group] }).catch(() => {});
    } finally {
      await admin.close().catch(() => {});
    }
  }
}

/** Waits for `work`, at most {@link CLOSE_BUDGET_MS}; swallows its failure. */
async function withinBudget(work: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const budget = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_BUDGET_MS));
  try {
    await Promise.race([work.catch(() => {}), budget]);
  } finally {
    clearTimeout(timer);
  }
}
