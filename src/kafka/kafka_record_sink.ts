import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { OutboundRecord, RecordSink } from "../core/routing/record_sink.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { retryWithBackoff } from "./retry.ts";
import { kafkaSecurityFailureOf } from "./security_failure/kafka_security_failure.ts";

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
  /**
   * Told `false` when a write fails and is being retried, or is still unanswered after the produce
   * timeout (Kafka cannot take writes now: no leader, fewer in-sync replicas than
   * `min.insync.replicas`), and `true` when a write succeeds again. `cause` is the failure, when
   * there is one.
   */
  readonly onWritable?: (writable: boolean, cause?: unknown) => void;
}

/**
 * A {@link RecordSink} over one Kafka adapter's idempotent producer: each `write` is one produce
 * with acks=all. Transient failures are retried with the same batch, backing off from 100 ms
 * doubling to 2 s, for as long as they last, so a broker outage delays acks instead of failing
 * events; `write` resolves only once Kafka has every record.
 */
export class KafkaRecordSink implements RecordSink {
  readonly #adapter: KafkaAdapter;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #log: RateLimitedLog | undefined;
  readonly #onWritable: ((writable: boolean, cause?: unknown) => void) | undefined;

  constructor(adapter: KafkaAdapter, options: KafkaRecordSinkOptions = {}) {
    this.#adapter = adapter;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#signal = options.signal;
    this.#log = options.log;
    this.#onWritable = options.onWritable;
  }

  async write(records: readonly OutboundRecord[]): Promise<void> {
    const adapter = this.#adapter;
    let attempts = 0;
    const produce = () => {
      attempts++;
      return adapter.produce(records, this.#timeoutMs);
    };
    // A client may retry inside one produce() for several timeouts before it rejects: a write
    // unanswered for longer than one timeout already says that Kafka is not taking writes.
    const stalled = this.#onWritable && setTimeout(() => this.#onWritable?.(false), this.#timeoutMs);
    try {
      await retryWithBackoff(produce, {
        initialDelayMs: 100,
        maxDelayMs: 2_000,
        signal: this.#signal,
        isPermanent: (error) => this.#isPermanent(error),
        onRetry: (attempt, delayMs, error) => {
          this.#onWritable?.(false, error);
          this.#log?.warn("kafka.write-retry", "kafka write failed; retrying the same batch", {
            attempt,
            delayMs,
            error,
          });
        },
      });
      this.#onWritable?.(true);
      if (attempts > 1) {
        this.#log?.info("kafka.write-recovered", "kafka write succeeded after retrying", { attempts });
      }
    } catch (error) {
      if (this.#isPermanent(error)) {
        // Kafka answered: this batch is what it refuses, not writes in general.
        this.#onWritable?.(true);
        this.#log?.error("kafka.write-failed", "kafka write failed", {
          attempts,
          records: records.length,
          topics: [...new Set(records.map((r) => r.topic))],
          error,
        });
      }
      throw error;
    } finally {
      clearTimeout(stalled);
    }
  }

  /**
   * True when no retry can write this batch. Refused credentials and failed TLS handshakes are
   * never the batch's fault, whatever the client says of them (platformatic marks them not
   * retriable): they are retried, and the edge reports not ready meanwhile.
   */
  #isPermanent(error: unknown): boolean {
    return this.#adapter.isPermanent(error) && kafkaSecurityFailureOf(error) === undefined;
  }
}
