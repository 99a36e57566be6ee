/**
 * The Kafka client libraries an edge can run on, in a module that loads neither, so that the
 * config table (and `deno task docs`, which renders it) can name them without the clients' own
 * permissions. `kafkaAdapters` in `mod.ts` makes an adapter of each.
 */
export const KAFKA_CLIENTS = ["platformatic", "kafkajs"] as const;

/** One of {@link KAFKA_CLIENTS}. */
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];
