import assert from "node:assert/strict";
import { DedupeWindow } from "./dedupe_window.ts";

const p0 = { topic: "game.leaderboard", partition: 0 };
const p1 = { topic: "game.leaderboard", partition: 1 };

Deno.test("DedupeWindow.has() is true only for ids added on the same partition", () => {
  const window = new DedupeWindow();
  window.add(p0, "e-1");
  assert.equal(window.has(p0, "e-1"), true);
  assert.equal(window.has(p0, "e-2"), false);
  assert.equal(window.has(p1, "e-1"), false, "another partition is another window");
  assert.equal(window.has({ topic: "other", partition: 0 }, "e-1"), false, "another topic is another window");
});

Deno.test("DedupeWindow forgets the oldest id of a partition past idsPerPartition, and only there", () => {
  const window = new DedupeWindow({ idsPerPartition: 3 });
  for (const id of ["a", "b", "c", "d"]) window.add(p0, id);
  window.add(p1, "a");
  assert.deepEqual(["a", "b", "c", "d"].map((id) => window.has(p0, id)), [false, true, true, true]);
  assert.equal(window.size(p0), 3);
  assert.equal(window.has(p1, "a"), true);
});

Deno.test("DedupeWindow.add() of an id it holds does not evict another", () => {
  const window = new DedupeWindow({ idsPerPartition: 2 });
  window.add(p0, "a");
  window.add(p0, "b");
  window.add(p0, "b");
  assert.equal(window.has(p0, "a"), true);
  assert.equal(window.size(p0), 2);
});

Deno.test("DedupeWindow refuses a window that is not a positive integer", () => {
  assert.throws(() => new DedupeWindow({ idsPerPartition: 0 }), RangeError);
  assert.throws(() => new DedupeWindow({ idsPerPartition: 1.5 }), RangeError);
});
