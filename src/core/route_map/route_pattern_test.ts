import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRoutePattern, patternMatches, type RoutePattern } from "./route_pattern.ts";
import { MAX_EVENT_TYPE_LENGTH } from "../frames/event_constraints.ts";

function parsed(match: string): RoutePattern {
  const result = parseRoutePattern(match);
  if ("problem" in result) assert.fail(`expected "${match}" to parse, got: ${result.problem}`);
  return result;
}

function problemOf(match: string): string {
  const result = parseRoutePattern(match);
  assert.ok("problem" in result, `expected "${match}" to be malformed, got ${JSON.stringify(result)}`);
  return result.problem;
}

const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
const eventType = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("."));

Deno.test("parseRoutePattern() reads an event type as an exact pattern", () => {
  assert.deepEqual(parseRoutePattern("treasure.collected"), { kind: "exact", type: "treasure.collected" });
  assert.deepEqual(parseRoutePattern("ping"), { kind: "exact", type: "ping" });
  assert.deepEqual(parseRoutePattern("a-b_c.9"), { kind: "exact", type: "a-b_c.9" });
});

Deno.test('parseRoutePattern() reads "stem.*" as a prefix pattern whose prefix keeps the dot', () => {
  assert.deepEqual(parseRoutePattern("treasure.*"), { kind: "prefix", prefix: "treasure." });
  assert.deepEqual(parseRoutePattern("game.treasure.*"), { kind: "prefix", prefix: "game.treasure." });
});

Deno.test('parseRoutePattern() reads "*" as the pattern matching every type', () => {
  assert.deepEqual(parseRoutePattern("*"), { kind: "all" });
});

Deno.test("parseRoutePattern() rejects malformed patterns with a reason naming the pattern", () => {
  for (const match of ["", "Treasure.*", "a.*.b", ".*", "*.x", "Treasure", "treasure.Collected", "**", "a*", "a b"]) {
    const problem = problemOf(match);
    assert.ok(problem.includes(`"${match}"`), `problem for "${match}" should quote it: ${problem}`);
  }
});

Deno.test("parseRoutePattern() says why an empty stem or an uppercase stem is wrong", () => {
  assert.match(problemOf(".*"), /1 to 128 characters/);
  assert.match(problemOf(""), /1 to 128 characters/);
  assert.match(problemOf("Treasure.*"), /\[a-z0-9._-\]/);
  assert.match(problemOf("*.x"), /\[a-z0-9._-\]/);
});

Deno.test("parseRoutePattern() accepts types and stems up to the event type length limit and no longer", () => {
  const longest = "a".repeat(MAX_EVENT_TYPE_LENGTH);
  const tooLong = "a".repeat(MAX_EVENT_TYPE_LENGTH + 1);
  assert.deepEqual(parseRoutePattern(longest), { kind: "exact", type: longest });
  assert.match(problemOf(tooLong), /1 to 128 characters/);
  assert.deepEqual(parseRoutePattern(`${longest}.*`), { kind: "prefix", prefix: `${longest}.` });
  assert.match(problemOf(`${tooLong}.*`), /1 to 128 characters/);
});

Deno.test("patternMatches() on an exact pattern matches only that type", () => {
  const pattern = parsed("treasure.collected");
  assert.equal(patternMatches(pattern, "treasure.collected"), true);
  assert.equal(patternMatches(pattern, "treasure"), false);
  assert.equal(patternMatches(pattern, "treasure.collected.twice"), false);
  assert.equal(patternMatches(pattern, "treasure.collecte"), false);
});

Deno.test('patternMatches() on "treasure.*" matches types under treasure but not treasure itself nor treasurex.y', () => {
  const pattern = parsed("treasure.*");
  assert.equal(patternMatches(pattern, "treasure.collected"), true);
  assert.equal(patternMatches(pattern, "treasure.chest.opened"), true);
  assert.equal(patternMatches(pattern, "treasure"), false);
  assert.equal(patternMatches(pattern, "treasurex.y"), false);
  assert.equal(patternMatches(pattern, "game.treasure.collected"), false);
});

Deno.test('patternMatches() on "*" matches every type', () => {
  const pattern = parsed("*");
  for (const type of ["a", "treasure.collected", "x.y.z", "-"]) assert.equal(patternMatches(pattern, type), true);
});

Deno.test("patternMatches() agrees with a plain string reading of every pattern kind", () => {
  fc.assert(
    fc.property(eventType, eventType, (stem, type) => {
      assert.equal(patternMatches(parsed(stem), type), stem === type);
      assert.equal(
        patternMatches(parsed(`${stem}.*`), type),
        type.length > stem.length + 1 &&
          type.slice(0, stem.length + 1) === `${stem}.`,
      );
      assert.equal(patternMatches(parsed("*"), type), true);
    }),
    { numRuns: 300 },
  );
});

Deno.test("patternMatches() on a prefix pattern matches every type that extends the stem by a dot", () => {
  fc.assert(
    fc.property(eventType, eventType, (stem, rest) => {
      assert.equal(patternMatches(parsed(`${stem}.*`), `${stem}.${rest}`), true);
      assert.equal(patternMatches(parsed(`${stem}.*`), stem), false);
    }),
    { numRuns: 200 },
  );
});
