import assert from "node:assert/strict";
import { MAX_PATTERN_LENGTH, unsafeRegexProblem } from "./unsafe_regex.ts";

Deno.test("unsafeRegexProblem() passes the patterns payload schemas commonly use", () => {
  for (
    const pattern of [
      "^[a-z0-9_-]{1,32}$",
      "^\\d+(\\.\\d+)?$",
      "^(?:red|green|blue)$",
      "^(?<x>[A-F]{2})-[0-9]+$",
      "^[(|)*+]+$",
      "^a\\(b+\\)*$",
      "^(ab)+$",
      "^(a|b)?(c+){1}$",
    ]
  ) assert.equal(unsafeRegexProblem(pattern), undefined, pattern);
});

Deno.test("unsafeRegexProblem() refuses nested quantifiers, quantified alternations, backreferences and lookaround", () => {
  const refused: [string, RegExp][] = [
    ["^(a+)+$", /nested quantifier/],
    ["^(a*b?){2,}$", /nested quantifier/],
    ["^(?:x+y)*$", /nested quantifier/],
    ["^((a+))+$", /nested quantifier/],
    ["^(a|ab)*$", /quantified alternation/],
    ["^(?:(a|b)c)+$", /quantified alternation/],
    ["^(a)\\1$", /backreferences/],
    ["^(?<n>a)\\k<n>$", /backreferences/],
    ["^(?=a)a$", /lookahead and lookbehind/],
    ["^(?<!a)b$", /lookahead and lookbehind/],
  ];
  for (const [pattern, problem] of refused) assert.match(unsafeRegexProblem(pattern) ?? "", problem, pattern);
});

Deno.test("unsafeRegexProblem() refuses a pattern longer than MAX_PATTERN_LENGTH", () => {
  assert.equal(unsafeRegexProblem("a".repeat(MAX_PATTERN_LENGTH)), undefined);
  assert.match(unsafeRegexProblem("a".repeat(MAX_PATTERN_LENGTH + 1)) ?? "", /at most 256/);
});
