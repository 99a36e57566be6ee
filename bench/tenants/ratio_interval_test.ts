import assert from "node:assert/strict";
import { histogramOf, type LatencyHistogram } from "./latency_histogram.ts";
import { ratioInterval } from "./ratio_interval.ts";

/** A round of 2,000 samples spread evenly from `low` to `high` ms. */
function round(low: number, high: number): LatencyHistogram {
  return histogramOf(Array.from({ length: 2000 }, (_, i) => low + (high - low) * i / 1999));
}

Deno.test("ratioInterval() gives the pooled p99 ratio inside its bootstrap interval", () => {
  const alone = [round(3, 6), round(3, 6.5), round(3, 5.5), round(3, 6.2)];
  const flood = [round(3, 7), round(3, 7.5), round(3, 6.5), round(3, 7.2)];
  const r = ratioInterval(flood, alone)!;
  assert.equal(r.rounds, 4);
  assert.ok(r.ratio > 1.1 && r.ratio < 1.25, `ratio ${r.ratio}`);
  assert.ok(r.low <= r.ratio && r.ratio <= r.high, `${r.low} <= ${r.ratio} <= ${r.high}`);
});

Deno.test("ratioInterval() is the same for the same seed, and narrower with more rounds of the same spread", () => {
  const spreadRounds = (n: number, base: number) => Array.from({ length: n }, (_, i) => round(3, base + (i % 4) * 0.8));
  const few = ratioInterval(spreadRounds(4, 6), spreadRounds(4, 5))!;
  const many = ratioInterval(spreadRounds(32, 6), spreadRounds(32, 5))!;
  assert.deepEqual(ratioInterval(spreadRounds(4, 6), spreadRounds(4, 5)), few);
  assert.ok(many.high - many.low < few.high - few.low, `${many.high - many.low} < ${few.high - few.low}`);
});

Deno.test("ratioInterval() is undefined when a side has no rounds, or a round no histogram", () => {
  assert.equal(ratioInterval([], [round(1, 2)]), undefined);
  assert.equal(ratioInterval([round(1, 2)], []), undefined);
  assert.equal(ratioInterval([round(1, 2), undefined], [round(1, 2)]), undefined);
});
