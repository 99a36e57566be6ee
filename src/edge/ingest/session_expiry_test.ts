import assert from "node:assert/strict";
import { SessionExpiry } from "./session_expiry.ts";

Deno.test("SessionExpiry.due() returns the items whose deadline has passed, once, and keeps the rest", () => {
  const expiry = new SessionExpiry<string>();
  expiry.schedule("a", 10_000);
  expiry.schedule("b", 12_500);
  expiry.schedule("c", 20_000);
  assert.deepEqual(expiry.due(9_999), []);
  assert.deepEqual(expiry.due(10_000), ["a"]);
  assert.deepEqual(expiry.due(10_000), []);
  assert.deepEqual(expiry.due(12_999), []);
  assert.deepEqual(expiry.due(13_000), ["b"]);
  assert.equal(expiry.size, 1);
  assert.deepEqual(expiry.due(1_000_000_000), ["c"]);
  assert.equal(expiry.size, 0);
});

Deno.test("SessionExpiry.schedule() moves a refreshed item, and cancel() forgets a closed one", () => {
  const expiry = new SessionExpiry<string>();
  expiry.schedule("refreshed", 5_000);
  expiry.schedule("closed", 5_000);
  expiry.schedule("refreshed", 65_000);
  expiry.cancel("closed");
  expiry.cancel("never scheduled");
  assert.deepEqual(expiry.due(6_000), []);
  assert.deepEqual(expiry.due(65_000), ["refreshed"]);
});

Deno.test("SessionExpiry.due() finds items scheduled in the past and after a long pause", () => {
  const expiry = new SessionExpiry<number>();
  assert.deepEqual(expiry.due(50_000), []);
  for (let i = 0; i < 100; i++) expiry.schedule(i, 1_000 * i);
  expiry.schedule(1_000, 3_600_000_000);
  assert.equal(expiry.due(500_000).length, 100);
  expiry.schedule(7, 10);
  assert.deepEqual(expiry.due(600_000), [7]);
  assert.deepEqual(expiry.due(3_600_000_000), [1_000]);
});
