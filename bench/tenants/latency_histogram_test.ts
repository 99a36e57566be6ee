import assert from "node:assert/strict";
import { BUCKET_MS, histogramOf, quantileOf, sortedBuckets } from "./latency_histogram.ts";
import { quantile } from "../quantile.ts";

Deno.test("histogramOf() counts each latency in its 0.05 ms bucket", () => {
  assert.deepEqual(histogramOf([0.01, 0.04, 0.05, 1.234, 1.2]), { 0: 2, 1: 1, 24: 2 });
});

Deno.test("quantileOf() pools parts and answers the upper edge of the bucket holding the nearest-rank sample", () => {
  const a = Array.from({ length: 1000 }, (_, i) => i / 100); // 0 .. 9.99 ms
  const b = Array.from({ length: 1000 }, (_, i) => 20 + i / 100); // 20 .. 29.99 ms
  const pooled = [...a, ...b];
  for (const q of [0.5, 0.9, 0.99, 0.999]) {
    const exact = quantile(pooled, q);
    const got = quantileOf([sortedBuckets(histogramOf(a)), sortedBuckets(histogramOf(b))], q);
    assert.ok(got >= exact && got - exact <= BUCKET_MS + 1e-9, `q ${q}: ${got} against ${exact}`);
  }
});

Deno.test("quantileOf() is NaN without samples, and takes the lowest sample at q 0", () => {
  assert.ok(Number.isNaN(quantileOf([sortedBuckets({})], 0.99)));
  assert.equal(quantileOf([sortedBuckets(histogramOf([3, 7]))], 0), 3.05);
});
