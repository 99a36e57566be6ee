import assert from "node:assert/strict";
import { parseCpuList, pinnedArgv, splitCpus } from "./cpu_placement.ts";

Deno.test("parseCpuList() reads ranges and single CPUs as /proc writes them", () => {
  assert.deepEqual(parseCpuList("0-1"), [0, 1]);
  assert.deepEqual(parseCpuList("0-3,6,8-9\n"), [0, 1, 2, 3, 6, 8, 9]);
  assert.deepEqual(parseCpuList("1"), [1]);
  assert.throws(() => parseCpuList("a-b"), /not a CPU list/);
});

Deno.test("splitCpus() gives the edge the first half (at least one) and the rest to everything else", () => {
  assert.deepEqual(splitCpus([0, 1]), { edge: [0], rest: [1] });
  assert.deepEqual(splitCpus([0, 1, 2, 3]), { edge: [0, 1], rest: [2, 3] });
  assert.deepEqual(splitCpus([2, 3, 5]), { edge: [2], rest: [3, 5] });
  assert.equal(splitCpus([0]), undefined);
});

Deno.test("pinnedArgv() runs a command under taskset -c, or unchanged when nothing is pinned", () => {
  assert.deepEqual(pinnedArgv("0,1", ["deno", "run"]), ["taskset", "-c", "0,1", "deno", "run"]);
  assert.deepEqual(pinnedArgv("", ["deno", "run"]), ["deno", "run"]);
});
