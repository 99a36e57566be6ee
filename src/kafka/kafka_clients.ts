/**
 * The Kafka client libraries an edge can run on (`VELTRIX_KAFKA_CLIENT`). Kept apart from the
 * adapters so that reading the configuration loads no client library.
 */
export const KAFKA_CLIENTS = ["kafkajs"] as const;

/** One of {@link KAFKA_CLIENTS}. */
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];
