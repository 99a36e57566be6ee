import { decodeEdgeStatus, type EdgeStatus, type EdgeStatusFeed, encodeEdgeStatus } from "../core/fleet/edge_status.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";

/** The compacted topic where every edge writes its status, keyed by edge id. */
export const DEFAULT_EDGES_TOPIC = "veltrix.edges";

/** Compacted with hourly segments: only each edge's latest status stays for long. */
const EDGES_TOPIC_CONFIGS = { "cleanup.policy": "compact", "segment.ms": "3600000" };

/**
 * The Kafka half of fleet status: one compacted, single-partition topic of {@link EdgeStatus}
 * records keyed by edge id. `start` creates the topic when needed and reads it from the
 * beginning, handing each status to the listener; `publish` writes this edge's.
 */
export class EdgeStatusTopic implements EdgeStatusFeed {
  readonly #adapter: KafkaAdapter;
  readonly #topic: string;
  readonly #logger: Logger;
  #started = false;

  /** `adapter` is this topic's own (its producer and consumer serve nothing else). */
  constructor(adapter: KafkaAdapter, options: { topic: string; logger: Logger }) {
    this.#adapter = adapter;
    this.#topic = options.topic;
    this.#logger = options.logger;
  }

  /** Creates the topic if needed, connects, and starts reading. Throws if Kafka is unreachable. */
  async start(listener: (status: EdgeStatus) => void): Promise<void> {
    if (!(await this.#adapter.listTopics()).includes(this.#topic)) {
      await this.#adapter.createTopics([
        { topic: this.#topic, partitions: 1, replicationFactor: -1, configs: EDGES_TOPIC_CONFIGS },
      ]);
    }
    await this.#adapter.connect();
    await this.#adapter.consumeFromStart(this.#topic, ({ value }) => {
      const status = value === null ? undefined : decodeEdgeStatus(new Uint8Array(value));
      if (status !== undefined) listener(status);
      return Promise.resolve();
    });
    this.#started = true;
    this.#logger.info("edge status topic started", { topic: this.#topic });
  }

  /** True once `start` has connected: before that, `publish` throws. */
  get started(): boolean {
    return this.#started;
  }

  async publish(status: EdgeStatus): Promise<void> {
    if (!this.#started) throw new Error("the edge status topic is not connected to Kafka yet");
    await this.#adapter.produce([{
      topic: this.#topic,
      key: status.edgeId,
      value: encodeEdgeStatus(status),
      headers: { "content-type": "application/json; messageType=veltrix.EdgeStatus" },
    }], 10_000);
  }

  /** Stops reading and publishing. */
  stop(): Promise<void> {
    this.#started = false;
    return this.#adapter.close();
  }
}
