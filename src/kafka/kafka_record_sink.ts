import { Buffer } from "node:buffer";
import type { Message, Producer, TopicMessages } from "kafkajs";
import type { RateLimitedLog } from "../core/rate_limited_log.ts";
import type { OutboundRecord, RecordSink } from "../core/record_sink.ts";

/**
 * Kafka error types that no retry can fix: the batch fails and its events are rejected (not acked)
 * so that clients learn of it. Every other failure (broker down, leader moving, timeouts,
 * connection errors) is retried with the same batch until Kafka takes it or the edge stops.
 */
const PERMANENT = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_REQUIRED_ACKS",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "UNSUPPORTED_VERSION",
  "UNKNOWN_TOPIC_OR_PARTITION",
  "INVALID_TOPIC_EXCEPTION",
]);

/** Options of a {@link KafkaRecordSink}. */
export interface KafkaRecordSinkOptions {
  /** Broker-side timeout of one produce request. @default 30000 */
  readonly timeoutMs?: number;
  /** Stops retrying when aborted (at shutdown). */
  readonly signal?: AbortSignal;
  /**
   * Where retries (`kafka write failed; retrying the same batch`, warn), recoveries and permanent
   * failures (`kafka write failed`, error) are logged, rate-limited per kind.
   */
  readonly log?: RateLimitedLog;
}

/**
 * A {@link RecordSink} over one idempotent kafkajs producer: each `write` is one `sendBatch` with
 * `acks: -1` (all in-sync replicas), grouped by topic. Transient failures are retried with backoff
 * (100 ms doubling to 2 s) for as long as they last, so a broker outage delays acks instead of
 * failing events; `write` resolves only once Kafka has every record.
 */
export class KafkaRecordSink implements RecordSink {
  readonly #producer: Producer;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #log: RateLimitedLog | undefined;

  /** `producer` must be created with `idempotent: true`. */
  constructor(producer: Producer, options: KafkaRecordSinkOptions = {}) {
    this.#producer = producer;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#signal = options.signal;
    this.#log = options.log;
  }

  async write(records: readonly OutboundRecord[]): Promise<void> {
    const topicMessages = groupByTopic(records);
    for (let attempt = 1;; attempt++) {
      try {
        await this.#producer.sendBatch({ acks: -1, timeout: this.#timeoutMs, topicMessages });
        if (attempt > 1) {
          this.#log?.info("kafka.write-recovered", "kafka write succeeded after retrying", { attempts: attempt });
        }
        return;
      } catch (error) {
        if (isPermanent(error)) {
          this.#log?.error("kafka.write-failed", "kafka write failed", {
            attempts: attempt,
            records: records.length,
            topics: topicMessages.map((t) => t.topic),
            error,
          });
          throw error;
        }
        if (this.#signal?.aborted) throw error;
        const delay = Math.min(2_000, 100 * 2 ** Math.min(attempt - 1, 5));
        this.#log?.warn("kafka.write-retry", "kafka write failed; retrying the same batch", {
          attempt,
          delayMs: delay,
          error,
        });
        await sleep(delay, this.#signal);
      }
    }
  }
}

function groupByTopic(records: readonly OutboundRecord[]): TopicMessages[] {
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
  return topicMessages;
}

/** True when `error`, or an error it wraps, is a Kafka error no retry can fix. */
function isPermanent(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined; e;) {
    if (typeof e.type === "string" && PERMANENT.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e | undefined;
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
