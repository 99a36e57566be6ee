import type { Logger } from "../core/logger.ts";
import type { KafkaClientName } from "./kafka_clients.ts";
import type { KafkaGroupConsumerFactory } from "./kafka_group_consumer.ts";
import type { KafkaOffsets } from "./kafka_offsets.ts";
import { KafkajsGroupConsumer } from "./kafkajs/kafkajs_group_consumer.ts";
import { KafkajsOffsets } from "./kafkajs/kafkajs_offsets.ts";
import { connectionOf, type KafkaCluster } from "./kafka_security.ts";

/** Makes group consumers of `client` for the cluster, logging through `logger`. */
export function kafkaGroupConsumers(
  client: KafkaClientName,
  cluster: KafkaCluster,
  logger: Logger,
): KafkaGroupConsumerFactory {
  const connection = connectionOf(cluster);
  switch (client) {
    case "kafkajs":
      return (options) => new KafkajsGroupConsumer({ ...options, connection, logger });
    default:
      throw new Error(`no group consumer for the Kafka client ${client}`);
  }
}

/** An offsets reader of `client` for the cluster; `close()` it after use. */
export function kafkaOffsets(
  client: KafkaClientName,
  cluster: KafkaCluster,
  logger: Logger,
  clientId = "veltrix-offsets",
): KafkaOffsets {
  switch (client) {
    case "kafkajs":
      return new KafkajsOffsets({ clientId, connection: connectionOf(cluster), logger });
    default:
      throw new Error(`no offsets reader for the Kafka client ${client}`);
  }
}
