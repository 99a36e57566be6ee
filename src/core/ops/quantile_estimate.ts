/**
 * A quantile a dashboard can show without misleading: from cumulative histogram buckets, linearly
 * interpolated within the bucket that holds the rank (as `histogramQuantile` does), but saying so
 * when there are too few observations for that quantile to mean anything, and when the rank lies
 * past the last finite bound, where only a lower bound is known.
 *
 * @module
 */
import { type CumulativeBucket, histogramQuantile } from "./histogram_quantile.ts";

/**
 * What a quantile estimate found: `estimate` (the value, interpolated within its bucket),
 * `too-few` (fewer than the minimum observations, none included) or `above` (the rank is past the
 * last finite bound: the quantile is more than `bound`). Every outcome says how many observations it saw.
 */
export type QuantileEstimate =
  | { readonly kind: "estimate"; readonly value: number; readonly samples: number }
  | { readonly kind: "too-few"; readonly samples: number; readonly minimum: number }
  | { readonly kind: "above"; readonly bound: number; readonly samples: number };

/**
 * The `q`-quantile of the observations in cumulative `buckets` (sorted by `le`, ending with the
 * `Infinity` bucket), or why there is none to show: fewer than `minSamples` observations, or a
 * rank in the `Infinity` bucket.
 *
 * @param q the quantile, 0 to 1.
 * @param buckets cumulative counts, e.g. the bucket deltas of a window.
 * @param minSamples the fewest observations an estimate is given for. @default 20
 * @throws {RangeError} when `q` is outside [0, 1].
 * @example
 * ```ts
 * import { quantileEstimate } from "./quantile_estimate.ts";
 * const buckets = [{ le: 0.01, count: 0 }, { le: 0.025, count: 100 }, { le: Infinity, count: 100 }];
 * const p99 = quantileEstimate(0.99, buckets);
 * // p99: { kind: "estimate", value: 0.02485, samples: 100 }
 * ```
 */
export function quantileEstimate(
  q: number,
  buckets: readonly CumulativeBucket[],
  minSamples = 20,
): QuantileEstimate {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`);
  const samples = buckets.at(-1)?.count ?? 0;
  if (samples < minSamples || samples <= 0) return { kind: "too-few", samples, minimum: minSamples };
  const rank = q * samples;
  const finite = buckets.filter((bucket) => bucket.le !== Infinity);
  const last = finite.at(-1);
  if (last === undefined || last.count < rank) return { kind: "above", bound: last?.le ?? 0, samples };
  return { kind: "estimate", value: histogramQuantile(q, buckets)!, samples };
}
