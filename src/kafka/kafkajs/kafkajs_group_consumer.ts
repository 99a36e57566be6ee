import type { Buffer } from "node:buffer";
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "../../core/ops/logger.ts";
import type {
  GroupConsumerOptions,
  GroupConsumerRun,
  GroupRecord,
  KafkaGroupConsumer,
  TopicPartition,
} from "../kafka_group_consumer.ts";
import { createKafkaClient } from "./kafkajs_client.ts";
import type { KafkaConnection } from "../kafka_security.ts";

const utf8 = new TextDecoder();

/**
 * The {@link KafkaGroupConsumer} over kafkajs 2.2.4: `eachBatch` with `autoCommit: false`, offsets
 * committed only through {@link BatchControl.commit}; a timestamp start seeks every partition
 * once the member has joined.
 */
export class KafkajsGroupConsumer implements KafkaGroupConsumer {
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;

  constructor(options: GroupConsumerOptions & { readonly connection: KafkaConnection; readonly logger: Logger }) {
    this.#kafka = createKafkaClient(options.clientId, options.connection, options.logger);
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.#consumer = this.#kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      maxWaitTimeInMs: options.maxWaitMs ?? 500,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  async run(run: GroupConsumerRun): Promise<void> {
    const consumer = this.#consumer;
    if (run.onAssignment !== undefined) {
      const listener = run.onAssignment;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => listener(assigned(payload.memberAssignment)));
    }
    if (run.onCrash !== undefined) {
      const listener = run.onCrash;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) listener(payload.error);
      });
    }
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...run.topics], fromBeginning: run.start.from === "earliest" });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => handleBatch(consumer, payload, run),
      });
      if (run.start.from === "timestamp") await this.#seekTo(run.topics, run.start.timestampMs);
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect().catch(() => {});
  }

  async #seekTo(topics: readonly string[], timestampMs: number): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs)) {
          this.#consumer.seek({ topic, partition, offset });
        }
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

async function handleBatch(consumer: Consumer, payload: EachBatchPayload, run: GroupConsumerRun): Promise<void> {
  const { batch } = payload;
  const { topic, partition } = batch;
  await run.onBatch(
    { topic, partition, records: batch.messages.map((message) => toRecord(topic, partition, message)) },
    {
      commit: async (nextOffset) => {
        payload.resolveOffset(String(BigInt(nextOffset) - 1n));
        await consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
      },
      advance: (nextOffset) => payload.resolveOffset(String(BigInt(nextOffset) - 1n)),
      heartbeat: () => payload.heartbeat(),
      isActive: () => payload.isRunning() && !payload.isStale(),
    },
  );
}

function toRecord(topic: string, partition: number, message: KafkaMessage): GroupRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestampMs: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers: headerText(message.headers),
  };
}

function headerText(headers: IHeaders | undefined): Record<string, string | undefined> {
  const text: Record<string, string | undefined> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    text[name] = first === undefined ? undefined : typeof first === "string" ? first : utf8.decode(first as Buffer);
  }
  return text;
}

function assigned(memberAssignment: Record<string, number[]>): TopicPartition[] {
  return Object.entries(memberAssignment).flatMap(([topic, partitions]) =>
    partitions.map((partition) => ({ topic, partition }))
  );
}
