import assert from "node:assert/strict";
import { nodesArgument, nodesGiven } from "./kafka.ts";

Deno.test("nodesArgument() is 1 without --nodes, and reads --nodes N and --nodes=N", () => {
  assert.equal(nodesArgument([]), 1);
  assert.equal(nodesArgument(["--nodes", "3"]), 3);
  assert.equal(nodesArgument(["--nodes=3"]), 3);
});

Deno.test("nodesArgument() refuses a count that is not 1 to 9", () => {
  for (const bad of [["--nodes", "0"], ["--nodes", "ten"], ["--nodes"], ["--nodes=12"]]) {
    assert.throws(() => nodesArgument(bad), /--nodes takes 1 to 9/, bad.join(" "));
  }
});

Deno.test("nodesGiven() tells --nodes N and --nodes=N from no --nodes", () => {
  assert.equal(nodesGiven(["--nodes", "3"]), true);
  assert.equal(nodesGiven(["--nodes=1"]), true);
  assert.equal(nodesGiven([]), false);
  assert.equal(nodesGiven(["--security", "sasl_ssl"]), false);
});
