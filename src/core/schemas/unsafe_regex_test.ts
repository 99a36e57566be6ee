import assert from "node:assert/strict";
import { MAX_PATTERN_LENGTH, unsafeRegexProblem } from "./unsafe_regex.ts";

Deno.test("unsafeRegexProblem() passes the patterns payload schemas commonly use, nested repeats included", () => {
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
      // RE2 runs these in linear time: no shape of repetition is refused any more.
      "^(a+)+$",
      "^(a|ab)*$",
      "^(?:[A-F0-9]{4}-)*[A-F0-9]{4}$",
      "[\\1(?=]",
    ]
  ) assert.equal(unsafeRegexProblem(pattern), undefined, pattern);
});

Deno.test("unsafeRegexProblem() refuses backreferences and lookaround, which RE2 cannot run, saying so", () => {
  const refused: [string, RegExp][] = [
    ["^(a)\\1$", /backreferences are not allowed \(patterns run on RE2/],
    ["^(?<n>a)\\k<n>$", /backreferences/],
    ["^(?=a)a$", /lookahead and lookbehind are not allowed \(patterns run on RE2/],
    ["^(?!a)b$", /lookahead and lookbehind/],
    ["^(?<=a)b$", /lookahead and lookbehind/],
    ["^(?<!a)b$", /lookahead and lookbehind/],
  ];
  for (const [pattern, problem] of refused) assert.match(unsafeRegexProblem(pattern) ?? "", problem, pattern);
});

Deno.test("unsafeRegexProblem() refuses a pattern longer than MAX_PATTERN_LENGTH", () => {
  assert.equal(unsafeRegexProblem("a".repeat(MAX_PATTERN_LENGTH)), undefined);
  assert.match(unsafeRegexProblem("a".repeat(MAX_PATTERN_LENGTH + 1)) ?? "", /at most 256/);
});
