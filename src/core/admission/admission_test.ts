import assert from "node:assert/strict";
import { Admission } from "./admission.ts";
import { TokenBucket } from "./token_bucket.ts";

const unlimited = { ratePerConnection: Infinity, rateAbuseLimit: Infinity, maxInFlightPerConnection: Infinity };

Deno.test("Admission takes every event when nothing is limited", () => {
  const admission = new Admission(unlimited, 0);
  for (let i = 0; i < 10_000; i++) assert.equal(admission.refuse(`e-${i}`, 0, i), undefined);
});

Deno.test("Admission refuses with OVERLOADED and a retry hint at the connection's in-flight bound", () => {
  const admission = new Admission({ ...unlimited, maxInFlightPerConnection: 2 }, 0);
  assert.equal(admission.refuse("a", 0, 1), undefined);
  const refusal = admission.refuse("b", 0, 2);
  assert.equal(refusal?.code, "OVERLOADED");
  assert.equal(refusal?.id, "b");
  assert.ok((refusal?.retryAfterMs ?? 0) > 0);
});

Deno.test("Admission takes a burst of twice the rate, then refuses with RATE_LIMITED until tokens return", () => {
  const admission = new Admission({ ...unlimited, ratePerConnection: 5 }, 0);
  const codes = Array.from({ length: 12 }, (_, i) => admission.refuse(`e-${i}`, 0, 0)?.code);
  assert.equal(codes.filter((c) => c === undefined).length, 10);
  assert.deepEqual(codes.slice(10), ["RATE_LIMITED", "RATE_LIMITED"]);
  assert.equal(admission.refuse("later", 1_000, 0), undefined, "a second later the bucket has refilled");
});

Deno.test("Admission shares the player's bucket between connections", () => {
  const shared = new TokenBucket(1, 2, 0);
  const first = new Admission(unlimited, 0, shared);
  const second = new Admission(unlimited, 0, shared);
  assert.equal(first.refuse("a", 0, 0), undefined);
  assert.equal(second.refuse("b", 0, 0), undefined);
  assert.equal(first.refuse("c", 0, 0)?.code, "RATE_LIMITED");
});

Deno.test("Admission turns abusive past the abuse limit of RATE_LIMITED rejects in 10 s, and forgives after the window", () => {
  const admission = new Admission({ ...unlimited, ratePerConnection: 1, rateAbuseLimit: 3 }, 0);
  for (let i = 0; i < 2; i++) admission.refuse(`ok-${i}`, 0, 0);
  for (let i = 0; i < 3; i++) admission.refuse(`limited-${i}`, 0, 0);
  assert.equal(admission.abusive, false);
  admission.refuse("one-more", 0, 0);
  assert.equal(admission.abusive, true);
  for (let i = 0; i < 2; i++) assert.equal(admission.refuse(`refilled-${i}`, 20_000, 0), undefined);
  assert.equal(admission.refuse("limited-again", 20_000, 0)?.code, "RATE_LIMITED");
  assert.equal(admission.abusive, false, "a new window starts the count again");
});
