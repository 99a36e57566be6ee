import assert from "node:assert/strict";
import { BucketWindow } from "./bucket_window.ts";

const delta = (inFirst: number, total: number) => [{ le: 0.01, count: inFirst }, { le: Infinity, count: total }];

Deno.test("BucketWindow sums the deltas of the intervals within the window", () => {
  const window = new BucketWindow(10_000);
  assert.deepEqual(window.sum(0), [], "nothing added: no buckets");
  for (let s = 1; s <= 10; s++) window.add(s * 1000, delta(1, 2));
  assert.deepEqual(window.sum(10_000), delta(10, 20));
});

Deno.test("BucketWindow drops the intervals that ended a window ago or earlier", () => {
  const window = new BucketWindow(10_000);
  window.add(1000, delta(5, 5));
  window.add(2000, delta(0, 3));
  assert.deepEqual(window.sum(10_999), delta(5, 8));
  assert.deepEqual(window.sum(11_000), delta(0, 3), "the interval that ended at 1000 has left");
  assert.deepEqual(window.sum(12_000), []);
});

Deno.test("BucketWindow starts again when the bucket bounds change", () => {
  const window = new BucketWindow(10_000);
  window.add(1000, delta(5, 5));
  const other = [{ le: 0.5, count: 1 }, { le: Infinity, count: 1 }];
  window.add(2000, other);
  assert.deepEqual(window.sum(2000), other);
});

Deno.test("BucketWindow refuses a window that is not positive", () => {
  assert.throws(() => new BucketWindow(0), RangeError);
});
