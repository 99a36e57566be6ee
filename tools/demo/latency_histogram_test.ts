import assert from "node:assert/strict";
import { LatencyHistogram } from "./latency_histogram.ts";

Deno.test("LatencyHistogram.quantile() is within 4% above the exact quantile", () => {
  const histogram = new LatencyHistogram();
  for (let ms = 1; ms <= 1_000; ms++) histogram.record(ms);
  for (const [q, exact] of [[0.5, 500], [0.9, 900], [0.99, 990]] as const) {
    const estimate = histogram.quantile(q);
    assert.ok(estimate >= exact && estimate <= exact * 1.04, `q${q}: ${estimate} for ${exact}`);
  }
  assert.equal(histogram.count, 1_000);
});

Deno.test("LatencyHistogram.quantile() never exceeds the largest sample, even past its last bucket", () => {
  const histogram = new LatencyHistogram();
  histogram.record(3.3);
  assert.equal(histogram.quantile(0.99), 3.3);
  histogram.record(3_600_000);
  assert.equal(histogram.quantile(1), 3_600_000);
});

Deno.test("LatencyHistogram.quantile() is NaN with no samples, also after reset()", () => {
  const histogram = new LatencyHistogram();
  assert.ok(Number.isNaN(histogram.quantile(0.99)));
  histogram.record(0.01);
  assert.equal(histogram.quantile(0.5), 0.01);
  histogram.reset();
  assert.equal(histogram.count, 0);
  assert.ok(Number.isNaN(histogram.quantile(0.99)));
});
