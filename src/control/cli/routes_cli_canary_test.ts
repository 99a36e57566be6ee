import assert from "node:assert/strict";
import { canaryOf } from "./routes_cli_canary.ts";

Deno.test("canaryOf() reads --canary as basis points with a salt, and --canary-claim as a claim and value", () => {
  assert.equal(canaryOf({}), undefined);
  const share = canaryOf({ canary: "10%", salt: "s" })!;
  assert.deepEqual([share.basisPoints, share.salt, share.claim], [1000, "s", ""]);
  assert.equal(canaryOf({ canary: "0.5" })!.basisPoints, 50);
  assert.ok(canaryOf({ canary: "5%" })!.salt.length > 0, "a salt is made when none is given");
  const claim = canaryOf({ "canary-claim": "cohort=beta" })!;
  assert.deepEqual([claim.basisPoints, claim.claim, claim.claimValue], [0, "cohort", "beta"]);
});

Deno.test("canaryOf() refuses a share out of range, a malformed claim, both at once, and a salt alone", () => {
  for (const values of [{ canary: "0%" }, { canary: "101%" }, { canary: "ten" }, { "canary-claim": "beta" }]) {
    assert.throws(() => canaryOf(values), /--canary/);
  }
  assert.throws(() => canaryOf({ canary: "10%", "canary-claim": "a=b" }), /not both/);
  assert.throws(() => canaryOf({ salt: "s" }), /--salt goes with --canary/);
});
