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

Deno.test("TokenBucket.retune() keeps the tokens gathered, clamped to the new burst, and keeps a debt", () => {
  const bucket = new TokenBucket(10, 20, 0);
  for (let i = 0; i < 15; i++) assert.ok(bucket.take(0));
  bucket.retune(100, 200, 0);
  let taken = 0;
  while (bucket.take(0)) taken++;
  assert.equal(taken, 5, "a higher rate does not refill");
  assert.equal(bucket.msUntilNext(0), 10, "it fills at the new rate");
  const full = new TokenBucket(10, 20, 0);
  full.retune(1, 2, 0);
  assert.ok(full.take(0) && full.take(0));
  assert.equal(full.take(0), false, "a lower burst clamps");
  const owing = new TokenBucket(10, 20, 0);
  owing.takeDebt(50, 0);
  owing.retune(20, 40, 0);
  assert.equal(owing.msUntilNext(0), 1_550, "the debt of 30 stays, paid back at the new rate");
});
