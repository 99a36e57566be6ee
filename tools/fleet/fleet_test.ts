import assert from "node:assert/strict";
import { edgesArgument } from "./fleet.ts";

Deno.test("edgesArgument() is 3 without --edges, reads --edges N and --edges=N, and refuses 0 or more than 32", () => {
  assert.equal(edgesArgument([]), 3);
  assert.equal(edgesArgument(["--edges", "5"]), 5);
  assert.equal(edgesArgument(["--edges=1"]), 1);
  for (const bad of [["--edges", "0"], ["--edges=33"], ["--edges", "x"]]) assert.throws(() => edgesArgument(bad));
});
