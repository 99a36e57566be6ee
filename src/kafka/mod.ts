/**
 * The Kafka side of an edge, and the one place that imports a Kafka client library. Core declares
 * the ports (`RecordSink`, `TopicProvisioner`, `RouteMapFeed`); this folder implements them over a
 * {@link KafkaAdapter}, with one adapter folder per client library (`kafkajs/`, `platformatic/`).
 * Importing this module loads no client library: {@link kafkaAdapters}, {@link clusterAnswers} and
 * the readers load the one they use when called. It imports core and nothing else of Veltrix.
 * This file is the folder's API for code outside `src/`
 * (tools, benches, examples, applications), which imports it and no other file of the folder;
 * folders inside `src/` import the files they need directly, along the arrows that
 * `tests/architecture_test.ts` checks.
 *
 * @module
 */
import type { Logger } from "../core/ops/logger.ts";
import type { KafkaAdapterFactory } from "./kafka_adapter.ts";
import type { KafkaClientName } from "./kafka_clients.ts";

export { KAFKA_CLIENTS, type KafkaClientName } from "./kafka_clients.ts";
export type { ConsumedRecord, KafkaAdapter, KafkaAdapterFactory, TopicSpec } from "./kafka_adapter.ts";
export { KafkaRecordSink, type KafkaRecordSinkOptions } from "./kafka_record_sink.ts";
export { DEFAULT_ROUTES_TOPIC, FleetTopic, ROUTES_RECORD_KEY } from "./fleet_topic.ts";
export { TopicGate } from "./topic_gate.ts";
export { isReplicationFactorUnmet } from "./replication_factor_unmet.ts";
export { backoffDelayMs, type RetryOptions, retryWithBackoff, sleep } from "./retry.ts";
export {
  KAFKA_WRITABLE,
  type KafkaDependencies,
  type KafkaSettings,
  type KafkaSide,
  PRODUCER_CONNECTED,
  startKafka,
  TABLE_TOPICS_EXIST,
} from "./start_kafka.ts";

/**
 * Makes adapters of `client` for the cluster at `brokers`, logging through `logger`. Only the
 * chosen client library is loaded, here and not before.
 */
export async function kafkaAdapters(
  client: KafkaClientName,
  brokers: readonly string[],
  logger: Logger,
): Promise<KafkaAdapterFactory> {
  switch (client) {
    case "platformatic": {
      const { PlatformaticAdapter } = await import("./platformatic/platformatic_adapter.ts");
      return (clientId) => new PlatformaticAdapter({ clientId, brokers, logger });
    }
    case "kafkajs": {
      const { KafkajsAdapter } = await import("./kafkajs/kafkajs_adapter.ts");
      return (clientId) => new KafkajsAdapter({ clientId, brokers, logger });
    }
  }
}

/** True when the cluster at `brokers` answers a metadata request within `timeoutMs` (one try, over kafkajs). */
export async function clusterAnswers(brokers: readonly string[], timeoutMs = 2_000): Promise<boolean> {
  const { kafkajsClusterAnswers } = await import("./kafkajs/kafkajs_probe.ts");
  return kafkajsClusterAnswers(brokers, timeoutMs);
}

// Consumer groups with manual commits (the consumer library's runner and `deno task tail`)
export type {
  BatchControl,
  GroupBatch,
  GroupConsumerOptions,
  GroupConsumerRun,
  GroupRecord,
  KafkaGroupConsumer,
  KafkaGroupConsumerFactory,
  StartPosition,
  TopicPartition,
} from "./kafka_group_consumer.ts";
export type { KafkaOffsets, PartitionRange } from "./kafka_offsets.ts";
export { kafkaGroupConsumers, kafkaOffsets } from "./kafka_readers.ts";
