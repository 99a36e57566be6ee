import assert from "node:assert/strict";
import { uuidv7, Uuidv7Generator } from "./uuidv7.ts";

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timestampOf(id: string): number {
  return parseInt(id.replaceAll("-", "").slice(0, 12), 16);
}

Deno.test("uuidv7() is an RFC 9562 UUID: version 7 and variant 10xx", () => {
  for (let i = 0; i < 1000; i++) {
    const id = uuidv7();
    assert.match(id, FORMAT);
    assert.equal(id.length, 36);
    assert.equal(id[14], "7");
    assert.equal(parseInt(id[19]!, 16) >> 2, 0b10);
  }
});

Deno.test("uuidv7() carries the current Unix time in ms in its first 48 bits", () => {
  const before = Date.now();
  const id = uuidv7();
  const after = Date.now();
  assert.ok(timestampOf(id) >= before && timestampOf(id) <= after + 1, `${timestampOf(id)} in [${before}, ${after}]`);
});

Deno.test("uuidv7() ids strictly increase over 10,000 calls, many within one millisecond", () => {
  const ids = Array.from({ length: 10_000 }, () => uuidv7());
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  assert.equal(new Set(ids).size, ids.length);
  const perMs = new Map<number, number>();
  for (const id of ids) perMs.set(timestampOf(id), (perMs.get(timestampOf(id)) ?? 0) + 1);
  assert.ok(Math.max(...perMs.values()) > 1, "some ids share a millisecond");
});

Deno.test("Uuidv7Generator keeps increasing when the clock steps back", () => {
  let now = 1_700_000_000_000;
  const generator = new Uuidv7Generator(() => now);
  const first = generator.next();
  now -= 5_000;
  const second = generator.next();
  assert.ok(first < second);
  assert.equal(timestampOf(second), 1_700_000_000_000);
});

Deno.test("Uuidv7Generator seeds each millisecond's 42-bit counter below half its range, leaving room to count", () => {
  const generator = new Uuidv7Generator(() => 1_700_000_000_000, (bytes) => bytes.fill(0xff));
  // All-ones randomness gives the largest seed, 2^41 - 1: rand_a 0x7ff, then 30 counter bits under the variant.
  const id = generator.next().replaceAll("-", "");
  assert.equal(id.slice(12, 16), "77ff");
  assert.equal(id.slice(16, 20), "bfff");
  assert.equal(id.slice(20), "ffffffffffff");
  const next = generator.next().replaceAll("-", "");
  assert.equal(next.slice(12, 20), "7800" + "8000", "the counter carries from rand_b into rand_a");
});

Deno.test("Uuidv7Generator puts the timestamp big-endian in the first six bytes", () => {
  const generator = new Uuidv7Generator(() => 0x0123456789ab, (bytes) => bytes.fill(0));
  assert.equal(generator.next(), "01234567-89ab-7000-8000-000000000000");
});
