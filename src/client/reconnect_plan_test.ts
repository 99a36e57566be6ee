import assert from "node:assert/strict";
import { planReconnect } from "./reconnect_plan.ts";

const backoff = { initialDelayMs: 100, maxDelayMs: 1000 };

Deno.test("planReconnect() counts a socket that never opened as one more failed attempt and backs off for it", () => {
  const plan = planReconnect(2, { wasOpen: false, stable: false, code: 1006 }, backoff, () => 0.5);
  assert.deepEqual(plan, { failedAttempts: 3, delayMs: 200 });
});

Deno.test("planReconnect() starts the count over after a stable connection", () => {
  const plan = planReconnect(5, { wasOpen: true, stable: true, code: 1006 }, backoff, () => 0.5);
  assert.deepEqual(plan, { failedAttempts: 1, delayMs: 50 });
});

Deno.test("planReconnect() keeps counting after a connection that opened but was not stable", () => {
  const plan = planReconnect(3, { wasOpen: true, stable: false, code: 1006 }, backoff, () => 0.5);
  assert.deepEqual(plan, { failedAttempts: 4, delayMs: 400 });
});

Deno.test("planReconnect() comes back within initialDelayMs and resets the count when an open edge closes with 1001 or 1012", () => {
  for (const code of [1001, 1012]) {
    const plan = planReconnect(9, { wasOpen: true, stable: false, code }, backoff, () => 0.99);
    assert.deepEqual(plan, { failedAttempts: 0, delayMs: 99 });
  }
});

Deno.test("planReconnect() backs off for a 1001 on a socket that never opened", () => {
  const plan = planReconnect(0, { wasOpen: false, stable: false, code: 1001 }, backoff, () => 0.5);
  assert.deepEqual(plan, { failedAttempts: 1, delayMs: 50 });
});
