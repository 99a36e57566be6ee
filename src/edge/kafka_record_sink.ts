import { Buffer } from "node:buffer";
import type { Message, Producer, TopicMessages } from "kafkajs";
import type { OutboundRecord, RecordSink } from "../core/record_sink.ts";

/**
 * A {@link RecordSink} over one idempotent kafkajs producer: each `write` is one `sendBatch` with
 * `acks: -1` (all in-sync replicas), grouped by topic.
 */
export class KafkaRecordSink implements RecordSink {
  readonly #producer: Producer;
  readonly #timeoutMs: number;

  /** `producer` must be created with `idempotent: true`. */
  constructor(producer: Producer, timeoutMs = 30_000) {
    this.#producer = producer;
    this.#timeoutMs = timeoutMs;
  }

  async write(records: readonly OutboundRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const value = typeof record.value === "string"
        ? record.value
        : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength);
      const message: Message = { key: record.key, value, headers: record.headers };
      const list = byTopic.get(record.topic);
      if (list === undefined) byTopic.set(record.topic, [message]);
      else list.push(message);
    }
    const topicMessages: TopicMessages[] = [];
    for (const [topic, messages] of byTopic) topicMessages.push({ topic, messages });
    await this.#producer.sendBatch({ acks: -1, timeout: this.#timeoutMs, topicMessages });
  }
}
