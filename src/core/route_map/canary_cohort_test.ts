import assert from "node:assert/strict";
import { canaryCohortOf, canaryProblems, cohortBucket, describeCohort, inCanaryCohort } from "./canary_cohort.ts";
import { defaultRouteMap } from "./default_route_map.ts";

const canaryMap = (canary: { basisPoints?: number; salt?: string; claim?: string; claimValue?: string }) => ({
  ...defaultRouteMap(),
  canary: { basisPoints: 0, salt: "", claim: "", claimValue: "", ...canary },
});

Deno.test("inCanaryCohort() puts close to 10% of 5,000 players in a 10% cohort, within 4 binomial sigmas", () => {
  const cohort = canaryCohortOf(canaryMap({ basisPoints: 1000, salt: "s1" }))!;
  const players = 5_000;
  let inside = 0;
  for (let i = 0; i < players; i++) if (inCanaryCohort(cohort, `player-${i}`, undefined)) inside++;
  const mean = players * 0.1;
  const sigma = Math.sqrt(players * 0.1 * 0.9);
  assert.ok(
    Math.abs(inside - mean) <= 4 * sigma,
    `${inside} of ${players} in the cohort; expected ${mean} ± ${4 * sigma}`,
  );
});

Deno.test("inCanaryCohort() gives a player the same answer every time, and another salt picks other players", () => {
  const a = canaryCohortOf(canaryMap({ basisPoints: 5000, salt: "a" }))!;
  const b = canaryCohortOf(canaryMap({ basisPoints: 5000, salt: "b" }))!;
  let differ = 0;
  for (let i = 0; i < 1000; i++) {
    const player = `p${i}`;
    assert.equal(inCanaryCohort(a, player, undefined), inCanaryCohort(a, player, { cohort: "x" }));
    assert.equal(cohortBucket("a", player), cohortBucket("a", player));
    if (inCanaryCohort(a, player, undefined) !== inCanaryCohort(b, player, undefined)) differ++;
  }
  assert.ok(differ > 300, `only ${differ} of 1000 players changed cohort with the salt`);
});

Deno.test("inCanaryCohort() with a claim cohort takes exactly the players whose token has the claim value", () => {
  const cohort = canaryCohortOf(canaryMap({ claim: "cohort", claimValue: "beta" }))!;
  assert.equal(describeCohort(cohort), "cohort=beta");
  assert.equal(inCanaryCohort(cohort, "p1", { sub: "p1", cohort: "beta" }), true);
  assert.equal(inCanaryCohort(cohort, "p1", { sub: "p1", cohort: "alpha" }), false);
  assert.equal(inCanaryCohort(cohort, "p1", { sub: "p1" }), false);
  assert.equal(inCanaryCohort(cohort, "p1", undefined), false);
});

Deno.test("canaryProblems() refuses an empty canary, a share out of range, a share with a claim, and a claim without a value", () => {
  assert.deepEqual(canaryProblems(defaultRouteMap()), []);
  assert.deepEqual(canaryProblems(canaryMap({ basisPoints: 1000 })), []);
  assert.equal(canaryProblems(canaryMap({}))[0]?.path, "canary", "an empty canary {} names no cohort");
  assert.equal(canaryProblems(canaryMap({ salt: "s", claimValue: "v" }))[0]?.path, "canary");
  assert.equal(canaryProblems(canaryMap({ basisPoints: 10_001 }))[0]?.path, "canary.basisPoints");
  assert.equal(canaryProblems(canaryMap({ basisPoints: 10, claim: "c", claimValue: "v" }))[0]?.path, "canary");
  assert.equal(canaryProblems(canaryMap({ claim: "c" }))[0]?.path, "canary.claimValue");
  assert.equal(describeCohort(canaryCohortOf(canaryMap({ basisPoints: 1000 }))!), "10%");
});
