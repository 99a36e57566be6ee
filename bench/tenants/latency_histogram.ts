/**
 * A round's ack latencies kept as a sparse histogram of 0.05 ms buckets, so that rounds (and runs)
 * can be pooled sample by sample: a quantile over every sample of a mode, not a median of round
 * quantiles. Pure.
 *
 * @module
 */

/** Bucket width, in ms: 50 µs, finer than anything the benchmark compares. */
export const BUCKET_MS = 0.05;

/** Sample counts by bucket index (`floor(ms / BUCKET_MS)`), only the buckets that have any. */
export type LatencyHistogram = Record<string, number>;

/** The histogram of `latenciesMs`. */
export function histogramOf(latenciesMs: readonly number[]): LatencyHistogram {
  const counts: LatencyHistogram = {};
  for (const ms of latenciesMs) {
    const bucket = Math.max(0, Math.floor(ms / BUCKET_MS + 1e-9));
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  return counts;
}

/** Bucket indexes and counts, ascending: what {@link quantileOf} walks. */
export interface SortedBuckets {
  readonly buckets: Float64Array;
  readonly counts: Float64Array;
}

/** `histogram` as ascending arrays. */
export function sortedBuckets(histogram: LatencyHistogram): SortedBuckets {
  const keys = Object.keys(histogram).map(Number).sort((a, b) => a - b);
  return {
    buckets: Float64Array.from(keys),
    counts: Float64Array.from(keys, (k) => histogram[k]!),
  };
}

/**
 * The `q` quantile (nearest rank) of every sample of `parts` together, in ms: the upper edge of
 * the bucket that holds it, so never below the true sample. NaN when there are no samples.
 */
export function quantileOf(parts: readonly SortedBuckets[], q: number): number {
  let total = 0;
  for (const p of parts) for (const c of p.counts) total += c;
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  // The quantile is near the top for a tail: walk every part's buckets from the highest down (a
  // k-way merge) until the samples above leave exactly `rank` at or below.
  const fromTop = total - rank + 1;
  const at = parts.map((p) => p.buckets.length - 1);
  let seen = 0;
  for (;;) {
    let best = -1;
    for (let i = 0; i < parts.length; i++) {
      if (at[i]! >= 0 && (best < 0 || parts[i]!.buckets[at[i]!]! > parts[best]!.buckets[at[best]!]!)) best = i;
    }
    const p = parts[best]!;
    const bucket = p.buckets[at[best]!]!;
    seen += p.counts[at[best]!]!;
    at[best]!--;
    if (seen >= fromTop) return Math.round((bucket + 1) * BUCKET_MS * 1000) / 1000;
  }
}
