/**
 * How sure a p99 ratio is: the quiet tenant's p99 over every sample of a mode's rounds, against
 * alone's, with a 90% bootstrap interval drawn by resampling whole rounds (a round is the unit that
 * varies: a broker pause or a late wake-up spoils many samples of one round together). Seeded, so a
 * report reads the same each time it is made. Pure.
 *
 * @module
 */
import { seededRandom } from "../seeded_random.ts";
import { type LatencyHistogram, quantileOf, type SortedBuckets, sortedBuckets } from "./latency_histogram.ts";

/** A ratio of pooled quantiles and its bootstrap interval. */
export interface RatioInterval {
  /** The mode's pooled p99 and alone's, in ms. */
  readonly p99Ms: number;
  readonly aloneP99Ms: number;
  /** p99Ms over aloneP99Ms. */
  readonly ratio: number;
  /** The 5th and 95th percentiles of the ratio over the resamples. */
  readonly low: number;
  readonly high: number;
  /** Rounds on each side. */
  readonly rounds: number;
  readonly aloneRounds: number;
}

function resample(rounds: readonly SortedBuckets[], next: () => number): SortedBuckets[] {
  return rounds.map(() => rounds[Math.floor(next() * rounds.length)]!);
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The `q` quantile over all of `rounds` against all of `alone`, and the 5th-95th percentile of that
 * ratio over `draws` resamples of each side's rounds. Undefined when a side has no rounds, or a
 * round no histogram (results from before rounds kept one).
 */
export function ratioInterval(
  rounds: readonly (LatencyHistogram | undefined)[],
  alone: readonly (LatencyHistogram | undefined)[],
  { q = 0.99, draws = 1000, seed = 1 }: { q?: number; draws?: number; seed?: number } = {},
): RatioInterval | undefined {
  if (rounds.length === 0 || alone.length === 0) return undefined;
  if (rounds.includes(undefined) || alone.includes(undefined)) return undefined;
  const mode = rounds.map((h) => sortedBuckets(h!));
  const base = alone.map((h) => sortedBuckets(h!));
  const p99Ms = quantileOf(mode, q);
  const aloneP99Ms = quantileOf(base, q);
  const next = seededRandom(seed);
  const ratios: number[] = [];
  for (let i = 0; i < draws; i++) {
    ratios.push(quantileOf(resample(mode, next), q) / quantileOf(resample(base, next), q));
  }
  ratios.sort((a, b) => a - b);
  const at = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!;
  return {
    p99Ms,
    aloneP99Ms,
    ratio: r3(p99Ms / aloneP99Ms),
    low: r3(at(0.05)),
    high: r3(at(0.95)),
    rounds: rounds.length,
    aloneRounds: alone.length,
  };
}
