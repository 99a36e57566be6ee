/**
 * Latencies in fixed memory: buckets 4% wide from 0.1 ms to about 10 minutes, so that a demo that
 * runs for hours keeps 400 counters, not every sample, and a quantile is off by at most a bucket.
 *
 * @module
 */

const FLOOR_MS = 0.1;
const GROWTH = 1.04;
const BUCKETS = 400;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * A histogram of latencies in ms.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./latency_histogram.ts";
 *
 * const acks = new LatencyHistogram();
 * for (const ms of [2, 3, 5, 40]) acks.record(ms);
 * acks.quantile(0.5); // about 3
 * ```
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #max = 0;

  /** Samples recorded since the last reset. */
  get count(): number {
    return this.#count;
  }

  /** Records one latency, in ms. */
  record(ms: number): void {
    const bucket = ms <= FLOOR_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH));
    this.#counts[bucket]!++;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  /**
   * The latency that a share `q` (0 to 1) of the samples is at or below: the upper edge of its
   * bucket (at most 4% above the true value), never above the largest sample. NaN with no samples.
   */
  quantile(q: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket]!;
      // The last bucket has no upper edge: it holds everything past its lower one.
      if (seen >= rank) return bucket === BUCKETS - 1 ? this.#max : Math.min(FLOOR_MS * GROWTH ** bucket, this.#max);
    }
    return this.#max;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#max = 0;
  }
}
