import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "../../core/ops/logger.ts";
import type { KafkaOffsets, PartitionRange } from "../kafka_offsets.ts";
import { createKafkaClient } from "./kafkajs_client.ts";
import type { KafkaConnection } from "../kafka_security.ts";

/** {@link KafkaOffsets} over the kafkajs admin client, connected on first use. */
export class KafkajsOffsets implements KafkaOffsets {
  readonly #kafka: Kafka;
  #admin: Promise<Admin> | undefined;

  constructor(options: { readonly clientId: string; readonly connection: KafkaConnection; readonly logger: Logger }) {
    this.#kafka = createKafkaClient(options.clientId, options.connection, options.logger);
  }

  async ranges(topic: string, sinceMs?: number): Promise<PartitionRange[]> {
    const admin = await this.#connected();
    const ends = await admin.fetchTopicOffsets(topic);
    const starts = sinceMs === undefined
      ? ends.map(({ partition, low }) => ({ partition, offset: low }))
      : await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs);
    return ends.map(({ partition, high }) => ({
      partition,
      start: starts.find((s) => s.partition === partition)?.offset ?? high,
      end: high,
    })).sort((a, b) => a.partition - b.partition);
  }

  async listTopics(): Promise<string[]> {
    return await (await this.#connected()).listTopics();
  }

  async close(): Promise<void> {
    const admin = await this.#admin?.catch(() => undefined);
    await admin?.disconnect().catch(() => {});
  }

  #connected(): Promise<Admin> {
    if (this.#admin === undefined) {
      const admin = this.#kafka.admin();
      this.#admin = admin.connect().then(() => admin);
      this.#admin.catch(() => this.#admin = undefined);
    }
    return this.#admin;
  }
}
