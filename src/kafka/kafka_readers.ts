import type { Logger } from "../core/ops/logger.ts";
import type { KafkaClientName } from "./kafka_clients.ts";
import type { KafkaGroupConsumerFactory } from "./kafka_group_consumer.ts";
import type { KafkaOffsets } from "./kafka_offsets.ts";
import { connectionOf, type KafkaCluster } from "./kafka_security.ts";

/** Makes group consumers of `client` for `cluster` (bare brokers or a connection), logging through `logger`. */
export async function kafkaGroupConsumers(
  client: KafkaClientName,
  cluster: KafkaCluster,
  logger: Logger,
): Promise<KafkaGroupConsumerFactory> {
  switch (client) {
    case "kafkajs": {
      const { KafkajsGroupConsumer } = await import("./kafkajs/kafkajs_group_consumer.ts");
      const connection = connectionOf(cluster);
      return (options) => new KafkajsGroupConsumer({ ...options, connection, logger });
    }
    default:
      throw new Error(`no group consumer for the Kafka client ${client}`);
  }
}

/** An offsets reader of `client` for `cluster` (bare brokers or a connection); `close()` it after use. */
export async function kafkaOffsets(
  client: KafkaClientName,
  cluster: KafkaCluster,
  logger: Logger,
  clientId = "veltrix-offsets",
): Promise<KafkaOffsets> {
  switch (client) {
    case "kafkajs": {
      const { KafkajsOffsets } = await import("./kafkajs/kafkajs_offsets.ts");
      return new KafkajsOffsets({ clientId, connection: connectionOf(cluster), logger });
    }
    default:
      throw new Error(`no offsets reader for the Kafka client ${client}`);
  }
}
