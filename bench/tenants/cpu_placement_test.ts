import assert from "node:assert/strict";
import { parseCpuList, pinnedArgv, planCpus, resolvePlacement } from "./cpu_placement.ts";

Deno.test("parseCpuList() reads ranges and single CPUs as /proc writes them", () => {
  assert.deepEqual(parseCpuList("0-1"), [0, 1]);
  assert.deepEqual(parseCpuList("0-3,6,8-9\n"), [0, 1, 2, 3, 6, 8, 9]);
  assert.deepEqual(parseCpuList("1"), [1]);
  assert.throws(() => parseCpuList("a-b"), /not a CPU list/);
});

Deno.test("planCpus(apart) gives the generator the last CPU of its own, and the edge the first half of the rest", () => {
  assert.deepEqual(planCpus([0, 1], "apart"), { edge: [0], quiet: [0], generator: [1], broker: [0] });
  assert.deepEqual(planCpus([0, 1, 2], "apart"), { edge: [0], quiet: [1], generator: [2], broker: [1] });
  assert.deepEqual(planCpus([0, 1, 2, 3, 4], "apart"), {
    edge: [0, 1],
    quiet: [2, 3],
    generator: [4],
    broker: [2, 3],
  });
  assert.equal(planCpus([0], "apart"), undefined);
});

Deno.test("planCpus(split) gives the edge the first half (at least one) and the rest to everything else", () => {
  assert.deepEqual(planCpus([0, 1], "split"), { edge: [0], quiet: [1], generator: [1], broker: [1] });
  assert.deepEqual(planCpus([0, 1, 2, 3], "split"), { edge: [0, 1], quiet: [2, 3], generator: [2, 3], broker: [2, 3] });
  assert.deepEqual(planCpus([2, 3, 5], "split")?.edge, [2]);
  assert.equal(planCpus([0], "split"), undefined);
});

Deno.test("pinnedArgv() runs a command under taskset -c, or unchanged when nothing is pinned", () => {
  assert.deepEqual(pinnedArgv("0,1", ["deno", "run"]), ["taskset", "-c", "0,1", "deno", "run"]);
  assert.deepEqual(pinnedArgv("", ["deno", "run"]), ["deno", "run"]);
});

Deno.test("resolvePlacement(auto) keeps the generator apart from three CPUs, and splits two", () => {
  assert.equal(resolvePlacement("auto", 2), "split");
  assert.equal(resolvePlacement("auto", 3), "apart");
  assert.equal(resolvePlacement("split", 8), "split");
  assert.deepEqual(planCpus([0, 1], "auto"), planCpus([0, 1], "split"));
  assert.deepEqual(planCpus([0, 1, 2, 3], "auto"), planCpus([0, 1, 2, 3], "apart"));
});
