/**
 * Quantiles from cumulative histogram buckets, the way Prometheus' `histogram_quantile` computes
 * them: find the bucket that holds the wanted rank and interpolate linearly inside it.
 *
 * @module
 */

/** One cumulative bucket: how many observations were at most `le` (the last bucket's `le` is `Infinity`). */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The observations made between two snapshots of one histogram, as cumulative buckets: `later`
 * minus `earlier`, bucket by bucket. When any bucket went down the histogram was reset in between,
 * and `later` alone is the answer.
 *
 * @throws {RangeError} when the snapshots do not have the same bucket bounds.
 * @example
 * ```ts
 * import { bucketDelta } from "./histogram_quantile.ts";
 * const delta = bucketDelta(
 *   [{ le: 0.1, count: 5 }, { le: Infinity, count: 9 }],
 *   [{ le: 0.1, count: 2 }, { le: Infinity, count: 3 }],
 * );
 * // delta: [{ le: 0.1, count: 3 }, { le: Infinity, count: 6 }]
 * ```
 */
export function bucketDelta(
  later: readonly CumulativeBucket[],
  earlier: readonly CumulativeBucket[],
): CumulativeBucket[] {
  if (later.length !== earlier.length || later.some((bucket, i) => bucket.le !== earlier[i]!.le)) {
    throw new RangeError("histogram snapshots have different buckets");
  }
  if (later.some((bucket, i) => bucket.count < earlier[i]!.count)) return later.map((b) => ({ ...b }));
  return later.map((bucket, i) => ({ le: bucket.le, count: bucket.count - earlier[i]!.count }));
}

/**
 * The `q`-quantile (0 to 1) of the observations in cumulative `buckets`, sorted by `le` and
 * ending with the `Infinity` bucket: linear interpolation within the bucket that holds rank
 * `q × total`, the first bucket starting at 0. A rank in the `Infinity` bucket answers the
 * largest finite bound (nothing better is known). Undefined when there are no observations.
 *
 * @throws {RangeError} when `q` is outside [0, 1].
 * @example
 * ```ts
 * import { histogramQuantile } from "./histogram_quantile.ts";
 * // 10 observations, all between 0.01 and 0.025: the median is halfway through that bucket.
 * const p50 = histogramQuantile(0.5, [{ le: 0.01, count: 0 }, { le: 0.025, count: 10 }, { le: Infinity, count: 10 }]);
 * // p50 === 0.0175
 * ```
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`);
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  // The first bucket reaching the rank; for rank 0, the first bucket holding any observation.
  const index = buckets.findIndex((bucket) => bucket.count >= rank && bucket.count > 0);
  const bucket = buckets[index]!;
  const below = index === 0 ? undefined : buckets[index - 1]!;
  if (bucket.le === Infinity) return below?.le;
  const start = below?.le ?? 0;
  const belowCount = below?.count ?? 0;
  return start + (bucket.le - start) * ((rank - belowCount) / (bucket.count - belowCount));
}
