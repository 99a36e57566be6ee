import type { Logger } from "../core/ops/logger.ts";
import type { RouteMapFeed, RouteMapFeedListener } from "../core/updates/route_map_feed.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";

/** The compacted topic that carries signed route maps between edges. */
export const DEFAULT_ROUTES_TOPIC = "veltrix.routes";

/** The one key every record on the routes topic has, so compaction keeps only the latest map. */
export const ROUTES_RECORD_KEY = "route-map";

/** Configs of the routes topic: compacted, with hourly segments so that compaction can drop superseded maps. */
const ROUTES_TOPIC_CONFIGS = { "cleanup.policy": "compact", "segment.ms": "3600000" };

/**
 * The Kafka half of the fleet: one compacted, single-partition topic of signed route maps.
 * `publish` writes a map this edge accepted; `start` creates the topic when needed and reads it
 * from the beginning, handing each record to the listener (the control plane, which verifies it
 * again and drops forged and stale ones).
 */
export class FleetTopic implements RouteMapFeed {
  readonly #adapter: KafkaAdapter;
  readonly #topic: string;
  readonly #edgeId: string;
  readonly #logger: Logger;
  #started = false;

  /** `adapter` is this feed's own (its producer and consumer serve nothing else). */
  constructor(adapter: KafkaAdapter, options: { topic: string; edgeId: string; logger: Logger }) {
    this.#adapter = adapter;
    this.#topic = options.topic;
    this.#edgeId = options.edgeId;
    this.#logger = options.logger;
  }

  /** Creates the topic if needed, connects, and starts reading. Throws if Kafka is unreachable. */
  async start(listener: RouteMapFeedListener): Promise<void> {
    if (!(await this.#adapter.listTopics()).includes(this.#topic)) {
      await this.#adapter.createTopics([
        { topic: this.#topic, partitions: 1, replicationFactor: -1, configs: ROUTES_TOPIC_CONFIGS },
      ]);
    }
    await this.#adapter.connect();
    await this.#adapter.consumeFromStart(this.#topic, async ({ value }) => {
      if (value === null || value.length === 0) return;
      await listener(new Uint8Array(value));
    });
    this.#started = true;
    this.#logger.info("route fleet started", { topic: this.#topic });
  }

  async publish(signed: Uint8Array, version: bigint): Promise<void> {
    if (!this.#started) throw new Error("the route fleet is not connected to Kafka yet");
    await this.#adapter.produce([{
      topic: this.#topic,
      key: ROUTES_RECORD_KEY,
      value: signed,
      headers: { "veltrix-route-version": version.toString(), "veltrix-edge-id": this.#edgeId },
    }], 30_000);
  }

  /** Stops reading and publishing. */
  stop(): Promise<void> {
    this.#started = false;
    return this.#adapter.close();
  }
}
