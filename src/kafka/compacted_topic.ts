import type { Logger } from "../core/ops/logger.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";

/** One record a {@link CompactedTopic} writes. */
export interface CompactedRecord {
  /** Compaction keeps the latest record of each key. */
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

/** How a {@link CompactedTopic} writes values of type `W` and reads values of type `R`. */
export interface CompactedTopicCodec<R, W = R> {
  encode(value: W): CompactedRecord;
  /** The value a record holds, or undefined to skip the record (empty, foreign or damaged). */
  decode(value: Uint8Array): R | undefined;
}

/** What a {@link CompactedTopic} is made with. */
export interface CompactedTopicOptions<R, W> {
  readonly topic: string;
  /** What log lines and errors call it, e.g. "route map topic". */
  readonly name: string;
  readonly codec: CompactedTopicCodec<R, W>;
  /** How long a publish may wait for Kafka. */
  readonly publishTimeoutMs: number;
  readonly logger: Logger;
}

/** Compacted with hourly segments, so that compaction can drop superseded records. */
const COMPACTED_TOPIC_CONFIGS = { "cleanup.policy": "compact", "segment.ms": "3600000" };

/**
 * A compacted, single-partition topic that every edge reads from the beginning and writes to:
 * `start` creates the topic when needed, connects and hands each record's value to the listener,
 * oldest first, waiting for each; `publish` writes one. The route map topic and the edge status
 * topic are two of them.
 */
export class CompactedTopic<R, W = R> {
  readonly #adapter: KafkaAdapter;
  readonly #options: CompactedTopicOptions<R, W>;
  #started = false;

  /** `adapter` is this topic's own (its producer and consumer serve nothing else). */
  constructor(adapter: KafkaAdapter, options: CompactedTopicOptions<R, W>) {
    this.#adapter = adapter;
    this.#options = options;
  }

  /** Creates the topic if needed, connects, and starts reading. Throws if Kafka is unreachable. */
  async start(listener: (value: R) => unknown): Promise<void> {
    const { topic, codec, name, logger } = this.#options;
    if (!(await this.#adapter.listTopics()).includes(topic)) {
      await this.#adapter.createTopics([
        { topic, partitions: 1, replicationFactor: -1, configs: COMPACTED_TOPIC_CONFIGS },
      ]);
    }
    await this.#adapter.connect();
    await this.#adapter.consumeFromStart(topic, async ({ value }) => {
      const decoded = value === null ? undefined : codec.decode(new Uint8Array(value));
      if (decoded !== undefined) await listener(decoded);
    });
    this.#started = true;
    logger.info(`${name} started`, { topic });
  }

  /** True once `start` has connected: before that, `publish` throws. */
  get started(): boolean {
    return this.#started;
  }

  /** Writes `value`; resolves once Kafka has it. */
  async publish(value: W): Promise<void> {
    if (!this.#started) throw new Error(`the ${this.#options.name} is not connected to Kafka yet`);
    await this.#adapter.produce(
      [{ topic: this.#options.topic, ...this.#options.codec.encode(value) }],
      this.#options.publishTimeoutMs,
    );
  }

  /** Stops reading and publishing. */
  stop(): Promise<void> {
    this.#started = false;
    return this.#adapter.close();
  }
}
