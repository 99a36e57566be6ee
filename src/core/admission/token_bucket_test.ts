import assert from "node:assert/strict";
import { TokenBucket } from "./token_bucket.ts";

Deno.test("TokenBucket allows a burst, then the rate, and says how long until the next token", () => {
  const bucket = new TokenBucket(10, 3, 0);
  assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
  assert.equal(bucket.msUntilNext(0), 100);
  assert.equal(bucket.take(50), false);
  assert.equal(bucket.take(100), true);
  assert.equal(bucket.msUntilNext(100), 100);
});

Deno.test("TokenBucket never holds more than its burst, however long it waits", () => {
  const bucket = new TokenBucket(1000, 2, 0);
  const taken = [1, 2, 3].map(() => bucket.take(60_000));
  assert.deepEqual(taken, [true, true, false]);
});
