import type { Logger } from "../core/ops/logger.ts";
import type { KafkaClientName } from "./kafka_clients.ts";
import type { KafkaGroupConsumerFactory } from "./kafka_group_consumer.ts";
import type { KafkaOffsets } from "./kafka_offsets.ts";

/** Makes group consumers of `client` for the cluster at `brokers`, logging through `logger`. */
export async function kafkaGroupConsumers(
  client: KafkaClientName,
  brokers: readonly string[],
  logger: Logger,
): Promise<KafkaGroupConsumerFactory> {
  switch (client) {
    case "kafkajs": {
      const { KafkajsGroupConsumer } = await import("./kafkajs/kafkajs_group_consumer.ts");
      return (options) => new KafkajsGroupConsumer({ ...options, brokers, logger });
    }
    default:
      throw new Error(`no group consumer for the Kafka client ${client}`);
  }
}

/** An offsets reader of `client` for the cluster at `brokers`; `close()` it after use. */
export async function kafkaOffsets(
  client: KafkaClientName,
  brokers: readonly string[],
  logger: Logger,
  clientId = "veltrix-offsets",
): Promise<KafkaOffsets> {
  switch (client) {
    case "kafkajs": {
      const { KafkajsOffsets } = await import("./kafkajs/kafkajs_offsets.ts");
      return new KafkajsOffsets({ clientId, brokers, logger });
    }
    default:
      throw new Error(`no offsets reader for the Kafka client ${client}`);
  }
}
