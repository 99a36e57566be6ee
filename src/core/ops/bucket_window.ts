/**
 * A sliding window over a histogram's bucket deltas: each interval adds what it observed, and the
 * window answers the observations of the last `windowMs`, so that a quantile is read over enough
 * of them at low rates rather than over one interval.
 *
 * @module
 */
import type { CumulativeBucket } from "./histogram_quantile.ts";

/**
 * The observations of one histogram over the last `windowMs`, from per-interval bucket deltas.
 * Time is given by the caller (ms on any monotonic clock), so the window is pure.
 *
 * @example
 * ```ts
 * import { BucketWindow } from "./bucket_window.ts";
 * const window = new BucketWindow(10_000);
 * window.add(1_000, [{ le: 0.1, count: 3 }, { le: Infinity, count: 4 }]);
 * window.add(2_000, [{ le: 0.1, count: 1 }, { le: Infinity, count: 1 }]);
 * window.sum(2_000); // [{ le: 0.1, count: 4 }, { le: Infinity, count: 5 }]
 * window.sum(11_500); // [{ le: 0.1, count: 1 }, { le: Infinity, count: 1 }]: the first interval has left
 * ```
 */
export class BucketWindow {
  readonly #windowMs: number;
  #intervals: { readonly at: number; readonly delta: readonly CumulativeBucket[] }[] = [];

  /** @param windowMs how far back the window reaches, in ms. */
  constructor(windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`window ${windowMs} ms is not positive`);
    this.#windowMs = windowMs;
  }

  /**
   * Adds the observations of the interval that ended at `at`. Deltas with other bucket bounds than
   * those held replace them (the histogram changed): the window starts again.
   */
  add(at: number, delta: readonly CumulativeBucket[]): void {
    const held = this.#intervals[0]?.delta;
    if (held !== undefined && !sameBounds(held, delta)) this.#intervals = [];
    this.#intervals.push({ at, delta });
  }

  /** The observations of the intervals that ended in `(now - windowMs, now]`, as cumulative buckets; [] for none. */
  sum(now: number): CumulativeBucket[] {
    this.#intervals = this.#intervals.filter((interval) => interval.at > now - this.#windowMs);
    const first = this.#intervals[0];
    if (first === undefined) return [];
    return first.delta.map((bucket, i) => ({
      le: bucket.le,
      count: this.#intervals.reduce((total, interval) => total + interval.delta[i]!.count, 0),
    }));
  }
}

function sameBounds(a: readonly CumulativeBucket[], b: readonly CumulativeBucket[]): boolean {
  return a.length === b.length && a.every((bucket, i) => bucket.le === b[i]!.le);
}
