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
import { connectionOf, type KafkaCluster } from "./kafka_security.ts";

export { KAFKA_CLIENTS, type KafkaClientName } from "./kafka_clients.ts";
export {
  connectionOf,
  type KafkaCluster,
  type KafkaConnection,
  type KafkaSecurity,
  PLAINTEXT,
  SASL_MECHANISMS,
  type SaslMechanism,
  SECURITY_PROTOCOLS,
  type SecurityProtocol,
} from "./kafka_security.ts";
export { type OAuthToken, OAuthTokenSource, parseOAuthToken } from "./oauth_token.ts";
export { type KafkaSecurityFailure, kafkaSecurityFailureOf } from "./security_failure/kafka_security_failure.ts";
export type { ConsumedRecord, KafkaAdapter, KafkaAdapterFactory, TopicSpec } from "./kafka_adapter.ts";
export { KafkaRecordSink, type KafkaRecordSinkOptions } from "./kafka_record_sink.ts";
export { CompactedTopic, type CompactedTopicCodec } from "./compacted_topic.ts";
export { type RouteMapTopic, routeMapTopic, ROUTES_RECORD_KEY } from "./route_map_topic.ts";
export { type EdgeStatusTopic, edgeStatusTopic } from "./edge_status_topic.ts";
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

/** What the adapters report beside their work. */
export interface KafkaAdapterHooks {
  /**
   * Told how many records were resent under a new producer id after an attempt that may have
   * landed (each may be in Kafka twice; see docs/kafka-idempotence.md). Not every client reports it.
   */
  readonly onDuplicatesRisked?: (records: number) => void;
}

/**
 * Makes adapters of `client` for `cluster` (bare brokers are plaintext; a {@link KafkaConnection}
 * carries its TLS and SASL), logging through `logger`. Only the chosen client library is loaded,
 * here and not before.
 */
export async function kafkaAdapters(
  client: KafkaClientName,
  cluster: KafkaCluster,
  logger: Logger,
  hooks: KafkaAdapterHooks = {},
): Promise<KafkaAdapterFactory> {
  const connection = connectionOf(cluster);
  switch (client) {
    case "platformatic": {
      const { PlatformaticAdapter } = await import("./platformatic/platformatic_adapter.ts");
      const { onDuplicatesRisked } = hooks;
      return (clientId) => new PlatformaticAdapter({ clientId, connection, logger, onDuplicatesRisked });
    }
    case "kafkajs": {
      const { KafkajsAdapter } = await import("./kafkajs/kafkajs_adapter.ts");
      return (clientId) => new KafkajsAdapter({ clientId, connection, logger });
    }
  }
}

/** True when `cluster` answers a metadata request within `timeoutMs` (one try, over kafkajs). */
export async function clusterAnswers(cluster: KafkaCluster, timeoutMs = 2_000): Promise<boolean> {
  const { kafkajsClusterAnswers } = await import("./kafkajs/kafkajs_probe.ts");
  return kafkajsClusterAnswers(connectionOf(cluster), timeoutMs);
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
