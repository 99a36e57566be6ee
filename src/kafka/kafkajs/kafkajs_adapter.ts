import { Buffer } from "node:buffer";
import { type Consumer, type Kafka, type Message, Partitioners, type Producer, type TopicMessages } from "kafkajs";
import type { Logger } from "../../core/ops/logger.ts";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import type { ConsumedRecord, KafkaAdapter, TopicSpec } from "../kafka_adapter.ts";
import { PERMANENT_KAFKA_ERRORS } from "../permanent_kafka_errors.ts";
import { createKafkaClient } from "./kafkajs_client.ts";
import type { KafkaConnection } from "../kafka_security.ts";

/** Kafka's names of errors no retry can fix (kafkajs gives them as `type`). */

/**
 * Retries kafkajs makes of one produce before `produce()` rejects (about 2.5 s of backoff). Without
 * a bound kafkajs retries an unknown topic or a dead broker forever and the write never settles.
 */
const PRODUCE_RETRIES = 5;

/** Where a {@link KafkajsAdapter} connects. */
export interface KafkajsAdapterOptions {
  readonly clientId: string;
  readonly connection: KafkaConnection;
  readonly logger: Logger;
}

/**
 * The {@link KafkaAdapter} over kafkajs 2.2.4: an idempotent producer (acks=all; kafkajs then
 * keeps one request in flight per broker and retries transient errors itself), the admin client
 * for topics, and a consumer in a group of its own that never commits.
 */
export class KafkajsAdapter implements KafkaAdapter {
  readonly client = "kafkajs";
  readonly #kafka: Kafka;
  readonly #producer: Producer;
  #consumer: Consumer | undefined;

  constructor(options: KafkajsAdapterOptions) {
    this.#kafka = createKafkaClient(options.clientId, options.connection, options.logger);
    this.#producer = this.#kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded, so that produce() settles and the sink decides (and logs) what a failure means.
      // kafkajs advances a partition's sequence only when a write succeeds, so the sink's retry of
      // the same batch reuses the producer id and sequence numbers, and the broker drops a copy it
      // already wrote.
      retry: { retries: PRODUCE_RETRIES, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async produce(records: readonly OutboundRecord[], timeoutMs: number): Promise<void> {
    await this.#producer.sendBatch({ acks: -1, timeout: timeoutMs, topicMessages: groupByTopic(records) });
  }

  isPermanent(error: unknown): boolean {
    for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined; e;) {
      if (typeof e.type === "string" && PERMANENT_KAFKA_ERRORS.has(e.type)) return true;
      e = (e.originalError ?? e.cause) as typeof e | undefined;
    }
    return false;
  }

  listTopics(): Promise<string[]> {
    return this.#withAdmin((admin) => admin.listTopics());
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    await this.#withAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: specs.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      })
    );
  }

  async consumeFromStart(topic: string, onRecord: (record: ConsumedRecord) => Promise<void>): Promise<void> {
    // A group of its own per call, never committed: every reader starts from the first offset.
    const consumer = this.#kafka.consumer({
      groupId: `veltrix-reader-${crypto.randomUUID()}`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ message }) => onRecord({ key: message.key, value: message.value }),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    this.#consumer = consumer;
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.#producer.on(this.#producer.events.CONNECT, () => listener(true));
    this.#producer.on(this.#producer.events.DISCONNECT, () => listener(false));
  }

  async close(): Promise<void> {
    await this.#consumer?.disconnect().catch(() => {});
    await this.#producer.disconnect().catch(() => {});
  }

  async #withAdmin<T>(use: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

function groupByTopic(records: readonly OutboundRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const value = typeof record.value === "string"
      ? record.value
      : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength);
    const message: Message = { key: record.key, value, headers: record.headers };
    const list = byTopic.get(record.topic);
    if (list === undefined) byTopic.set(record.topic, [message]);
    else list.push(message);
  }
  const topicMessages: TopicMessages[] = [];
  for (const [topic, messages] of byTopic) topicMessages.push({ topic, messages });
  return topicMessages;
}
