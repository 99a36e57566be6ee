import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzParameters } from "../testing/fuzz.ts";
import { bucketDelta, type CumulativeBucket, histogramQuantile } from "./histogram_quantile.ts";

/** Cumulative buckets with these bounds from per-bucket counts (the last count goes to Infinity). */
function cumulative(bounds: readonly number[], perBucket: readonly number[]): CumulativeBucket[] {
  let running = 0;
  return [...bounds, Infinity].map((le, i) => ({ le, count: running += perBucket[i] ?? 0 }));
}

/** Asserts `actual` is `expected` up to rounding. */
function assertNear(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);
}

const BOUNDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1];

Deno.test("histogramQuantile() is undefined when there are no observations", () => {
  assert.equal(histogramQuantile(0.5, cumulative(BOUNDS, [])), undefined);
  assert.equal(histogramQuantile(0.99, []), undefined);
});

Deno.test("histogramQuantile() interpolates linearly inside the bucket that holds the rank", () => {
  // 10 observations, all in (0.01, 0.025].
  const buckets = cumulative(BOUNDS, [0, 0, 0, 10]);
  assertNear(histogramQuantile(0.5, buckets), 0.0175);
  assertNear(histogramQuantile(0.99, buckets), 0.02485);
});

Deno.test("histogramQuantile() picks the bucket by rank across buckets", () => {
  // 90 fast (≤ 1 ms) and 10 slow, in (50 ms, 100 ms]: p50 is fast, p99 is slow.
  const buckets = cumulative(BOUNDS, [90, 0, 0, 0, 0, 10]);
  assertNear(histogramQuantile(0.5, buckets), 0.001 * (50 / 90));
  assertNear(histogramQuantile(0.99, buckets), 0.095);
});

Deno.test("histogramQuantile() starts the first bucket at 0", () => {
  assertNear(histogramQuantile(0.5, cumulative([0.004], [8])), 0.002);
});

Deno.test("histogramQuantile() answers the largest finite bound for a rank in the Infinity bucket", () => {
  const buckets = cumulative(BOUNDS, [1, 0, 0, 0, 0, 0, 99]);
  assert.equal(histogramQuantile(0.5, buckets), 0.1);
  assert.equal(histogramQuantile(0.99, buckets), 0.1);
});

Deno.test("histogramQuantile(0) is the lower bound of the first bucket that holds anything", () => {
  assert.equal(histogramQuantile(0, cumulative(BOUNDS, [0, 0, 4])), 0.005);
});

Deno.test("histogramQuantile() refuses a quantile outside [0, 1]", () => {
  const buckets = cumulative(BOUNDS, [1]);
  assert.throws(() => histogramQuantile(1.5, buckets), RangeError);
  assert.throws(() => histogramQuantile(-0.1, buckets), RangeError);
  assert.throws(() => histogramQuantile(Number.NaN, buckets), RangeError);
});

Deno.test("histogramQuantile() grows with q and stays within [0, largest finite bound]", () => {
  const counts = fc.array(fc.nat(1000), { minLength: BOUNDS.length + 1, maxLength: BOUNDS.length + 1 });
  fc.assert(
    fc.property(counts, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (
      perBucket,
      a,
      b,
    ) => {
      const buckets = cumulative(BOUNDS, perBucket);
      const low = histogramQuantile(Math.min(a, b), buckets);
      const high = histogramQuantile(Math.max(a, b), buckets);
      if (buckets.at(-1)!.count === 0) return low === undefined && high === undefined;
      return low! >= 0 && high! <= BOUNDS.at(-1)! && low! <= high! + 1e-12;
    }),
    fuzzParameters(500),
  );
});

Deno.test("bucketDelta() keeps only the observations made between two snapshots", () => {
  const earlier = cumulative(BOUNDS, [100, 0, 0, 0, 0, 0, 0]);
  const later = cumulative(BOUNDS, [100, 0, 0, 0, 0, 5, 0]);
  const delta = bucketDelta(later, earlier);
  assert.deepEqual(delta, cumulative(BOUNDS, [0, 0, 0, 0, 0, 5, 0]));
  // Over the whole life p50 is under 1 ms; over the interval it is in (50 ms, 100 ms].
  assert.ok(histogramQuantile(0.5, later)! <= 0.001);
  assertNear(histogramQuantile(0.5, delta), 0.075);
});

Deno.test("bucketDelta() takes the later snapshot alone when the histogram was reset in between", () => {
  const earlier = cumulative(BOUNDS, [100]);
  const later = cumulative(BOUNDS, [0, 3]);
  assert.deepEqual(bucketDelta(later, earlier), later);
});

Deno.test("bucketDelta() refuses snapshots with different buckets", () => {
  assert.throws(() => bucketDelta(cumulative([0.1], [1]), cumulative([0.2], [1])), RangeError);
  assert.throws(() => bucketDelta(cumulative([0.1], [1]), cumulative([0.1, 0.2], [1])), RangeError);
});
