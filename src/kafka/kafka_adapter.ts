import type { OutboundRecord } from "../core/routing/record_sink.ts";

/** A topic to create. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** -1 takes the cluster's default. */
  readonly replicationFactor: number;
  /** Topic configs, e.g. `cleanup.policy: compact`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** A record read back by {@link KafkaAdapter.consumeFromStart}. */
export interface ConsumedRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
}

/**
 * The little the rest of `src/kafka/` needs from a Kafka client library. Each supported client
 * implements it in a folder of its own (`kafkajs/`, `platformatic/`), and nothing outside that
 * folder imports the library. Every adapter runs the shared case suite in `tests/support/kafka_adapter_cases.ts`.
 */
export interface KafkaAdapter {
  /** The client library, for logs and metrics. */
  readonly client: string;
  /**
   * Connects the idempotent producer (acks=all, one request in flight per broker). Throws when
   * the cluster cannot be reached.
   */
  connect(): Promise<void>;
  /**
   * Writes `records` with acks=all, and resolves when every in-sync replica has them: one attempt
   * and a bounded number of client retries, so that it always settles. Rejects with the client's
   * error on failure; the caller decides whether to retry with {@link KafkaAdapter.isPermanent}.
   */
  produce(records: readonly OutboundRecord[], timeoutMs: number): Promise<void>;
  /** True when `error` (or an error it wraps) is one no retry can fix. */
  isPermanent(error: unknown): boolean;
  /** The names of the cluster's topics. */
  listTopics(): Promise<string[]>;
  /** Creates topics and resolves once each has a leader; a topic that already exists is no error. */
  createTopics(specs: readonly TopicSpec[]): Promise<void>;
  /**
   * Reads `topic` from its first offset on, without a committed position, and hands each record to
   * `onRecord` in order, waiting for it. Resolves once reading has started.
   */
  consumeFromStart(topic: string, onRecord: (record: ConsumedRecord) => Promise<void>): Promise<void>;
  /** Hears when the producer loses or regains its connection. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  /** Stops consuming, disconnects; never throws. */
  close(): Promise<void>;
}

/** Makes a connected-on-demand adapter for one role (`clientId` names it to the brokers). */
export type KafkaAdapterFactory = (clientId: string) => KafkaAdapter;
