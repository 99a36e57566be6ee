import assert from "node:assert/strict";
import { backoffDelay } from "./backoff.ts";

Deno.test("backoffDelay() caps double from initialDelayMs up to maxDelayMs", () => {
  const caps = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) =>
    backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000 }, () => 0.999999)
  );
  assert.deepEqual(caps, [99, 199, 399, 799, 999, 999, 999, 999]);
});

Deno.test("backoffDelay() draws the full jitter range, 0 up to the cap", () => {
  assert.equal(backoffDelay(4, { initialDelayMs: 100, maxDelayMs: 1000 }, () => 0), 0);
  assert.equal(backoffDelay(4, { initialDelayMs: 100, maxDelayMs: 1000 }, () => 0.5), 400);
  for (let i = 0; i < 1000; i++) {
    const delay = backoffDelay(3, { initialDelayMs: 10, maxDelayMs: 1000 });
    assert.ok(delay >= 0 && delay < 40, String(delay));
  }
});

Deno.test("backoffDelay() defaults to 250 ms doubling up to 10 s", () => {
  assert.equal(backoffDelay(1, {}, () => 0.999999), 249);
  assert.equal(backoffDelay(100, {}, () => 0.999999), 9999);
});
