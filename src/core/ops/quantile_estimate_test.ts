import assert from "node:assert/strict";
import type { CumulativeBucket } from "./histogram_quantile.ts";
import { quantileEstimate } from "./quantile_estimate.ts";

/** Cumulative buckets with these bounds from per-bucket counts (the last count goes to Infinity). */
function cumulative(bounds: readonly number[], perBucket: readonly number[]): CumulativeBucket[] {
  let running = 0;
  return [...bounds, Infinity].map((le, i) => ({ le, count: running += perBucket[i] ?? 0 }));
}

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1];

/** The estimate's value, failing when there is none. */
function valueOf(estimate: ReturnType<typeof quantileEstimate>): number {
  assert.equal(estimate.kind, "estimate", JSON.stringify(estimate));
  return estimate.kind === "estimate" ? estimate.value : Number.NaN;
}

Deno.test("quantileEstimate() interpolates linearly within the bucket that holds the p99 rank", () => {
  // 100 observations: 90 in (0.005, 0.01], 10 in (0.025, 0.05]. Rank 99 is the 9th of the 10 in (0.025, 0.05].
  const estimate = quantileEstimate(0.99, cumulative(BOUNDS, [0, 90, 0, 10]));
  assert.ok(Math.abs(valueOf(estimate) - (0.025 + 0.025 * 9 / 10)) < 1e-12, JSON.stringify(estimate));
  assert.equal(estimate.samples, 100);
});

Deno.test("quantileEstimate() gives two tenants in the same bucket different p99s when their spread differs", () => {
  const few = valueOf(quantileEstimate(0.99, cumulative(BOUNDS, [0, 0, 0, 100])));
  const many = valueOf(quantileEstimate(0.99, cumulative(BOUNDS, [0, 0, 90, 10])));
  assert.notEqual(few, many);
  assert.ok(few > 0.025 && few <= 0.05 && many > 0.025 && many <= 0.05);
});

Deno.test("quantileEstimate() says too-few below the minimum, and for no observations at all", () => {
  assert.deepEqual(quantileEstimate(0.99, cumulative(BOUNDS, [0, 19])), { kind: "too-few", samples: 19, minimum: 20 });
  assert.deepEqual(quantileEstimate(0.99, cumulative(BOUNDS, [])), { kind: "too-few", samples: 0, minimum: 20 });
  assert.deepEqual(quantileEstimate(0.99, []), { kind: "too-few", samples: 0, minimum: 20 });
  assert.deepEqual(quantileEstimate(0.5, [], 0), { kind: "too-few", samples: 0, minimum: 0 });
  assert.equal(quantileEstimate(0.99, cumulative(BOUNDS, [0, 20])).kind, "estimate", "20 is enough");
  assert.equal(quantileEstimate(0.99, cumulative(BOUNDS, [0, 5]), 5).kind, "estimate", "the minimum is a parameter");
});

Deno.test("quantileEstimate() with everything in the first bucket interpolates from 0 to its bound", () => {
  const estimate = quantileEstimate(0.99, cumulative(BOUNDS, [50]));
  assert.ok(Math.abs(valueOf(estimate) - 0.005 * 0.99) < 1e-12, JSON.stringify(estimate));
});

Deno.test("quantileEstimate() with the rank past the last bound says above that bound, never a made-up value", () => {
  assert.deepEqual(quantileEstimate(0.99, cumulative(BOUNDS, [0, 0, 0, 0, 0, 30])), {
    kind: "above",
    bound: 0.1,
    samples: 30,
  });
  // 98 of 100 within the bounds: rank 99 is past them.
  assert.deepEqual(quantileEstimate(0.99, cumulative(BOUNDS, [98, 0, 0, 0, 0, 2])).kind, "above");
  // 99 of 100 within: rank 99 is the last finite bucket's.
  assert.equal(quantileEstimate(0.99, cumulative(BOUNDS, [0, 0, 0, 0, 99, 1])).kind, "estimate");
  assert.deepEqual(quantileEstimate(0.5, [{ le: Infinity, count: 40 }]), { kind: "above", bound: 0, samples: 40 });
});

Deno.test("quantileEstimate() refuses a quantile outside [0, 1]", () => {
  assert.throws(() => quantileEstimate(1.5, cumulative(BOUNDS, [0, 30])), RangeError);
  assert.throws(() => quantileEstimate(Number.NaN, cumulative(BOUNDS, [0, 30])), RangeError);
});
