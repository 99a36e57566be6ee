import type { Logger } from "../core/ops/logger.ts";
import type { TopicLayout, TopicProvisioner } from "../core/routing/topic_provisioner.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { isReplicationFactorUnmet } from "./replication_factor_unmet.ts";

/**
 * Makes sure topics exist before a table that writes to them is used, creating the missing ones
 * with the edge's layout. Topics it has seen exist are remembered, so an update whose topics are
 * all known costs no Kafka round trip. A replication factor the cluster cannot meet is a
 * REPLICATION_FACTOR_UNMET error, never a topic with fewer copies.
 */
export class TopicGate implements TopicProvisioner {
  readonly #known = new Set<string>();
  readonly #adapter: KafkaAdapter;
  readonly #layout: TopicLayout;
  readonly #logger: Logger;

  constructor(adapter: KafkaAdapter, layout: TopicLayout, logger: Logger) {
    this.#adapter = adapter;
    this.#layout = layout;
    this.#logger = logger;
  }

  async ensure(topics: readonly string[], configs?: Readonly<Record<string, string>>): Promise<void> {
    const unknown = topics.filter((topic) => !this.#known.has(topic));
    if (unknown.length === 0) return;
    const existing = new Set(await this.#adapter.listTopics());
    const missing = unknown.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      const { partitions, replicationFactor } = this.#layout;
      try {
        await this.#adapter.createTopics(
          missing.map((topic) => ({ topic, partitions, replicationFactor, ...(configs ? { configs } : {}) })),
        );
      } catch (cause) {
        if (!isReplicationFactorUnmet(cause)) throw cause;
        const factor = replicationFactor === -1 ? "the cluster's default.replication.factor" : replicationFactor;
        throw new VeltrixError(
          "REPLICATION_FACTOR_UNMET",
          `cannot create ${
            missing.join(", ")
          } with replication factor ${factor}: the cluster has fewer brokers available (${(cause as Error).message})`,
          { cause },
        );
      }
      const after = new Set(await this.#adapter.listTopics());
      const absent = missing.filter((topic) => !after.has(topic));
      if (absent.length > 0) throw new Error(`topics still missing after create: ${absent.join(", ")}`);
      this.#logger.info("created topics", { topics: missing });
    }
    for (const topic of unknown) this.#known.add(topic);
  }
}
