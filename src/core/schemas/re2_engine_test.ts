import assert from "node:assert/strict";
import { re2Problem, re2RegExp, re2Syntax } from "./re2_engine.ts";
import { compilePayloadSchema } from "./payload_schema.ts";

Deno.test("re2RegExp() searches like JavaScript's test(): unanchored unless the pattern anchors", () => {
  assert.equal(re2RegExp("b", "u").test("abc"), true);
  assert.equal(re2RegExp("^b", "u").test("abc"), false);
  assert.equal(re2RegExp("^[a-z][a-z0-9_-]{2,31}$", "u").test("ada_lovelace"), true);
  assert.equal(re2RegExp("^[a-z][a-z0-9_-]{2,31}$", "u").test("Ada"), false);
  assert.equal(re2RegExp("^\\p{L}+$", "u").test("Ådå"), true);
});

Deno.test("re2Syntax() writes JavaScript's \\u escapes as RE2's \\x{}, and leaves an escaped backslash alone", () => {
  assert.equal(re2Syntax("^[\\u0041-\\u005A]+$"), "^[\\x{0041}-\\x{005A}]+$");
  assert.equal(re2Syntax("\\u{1F600}"), "\\x{1F600}");
  assert.equal(re2Syntax("\\\\u0041"), "\\\\u0041");
  assert.equal(re2RegExp("^[\\u0041-\\u005A]+$", "u").test("ABC"), true);
});

Deno.test("re2Problem() says when RE2 cannot run a pattern, and passes what it can", () => {
  assert.equal(re2Problem("^(a+)+$"), undefined);
  assert.match(re2Problem("(a)\\1") ?? "", /^the linear-time engine \(RE2\) cannot run it: /);
});

/**
 * The classic catastrophic patterns: on V8's backtracking engine each takes time exponential in
 * the length of an input that almost matches (30 characters already take seconds; these inputs
 * would not finish in the lifetime of the machine). On RE2 each check is linear: the test finishes.
 */
Deno.test("payload schemas run the classic catastrophic patterns on long inputs in linear time", () => {
  const cases: [pattern: string, almost: string, matching: string][] = [
    ["^(a+)+$", "a".repeat(50_000) + "!", "a".repeat(50_000)],
    ["^(a|aa)*$", "a".repeat(50_000) + "!", "a".repeat(50_000)],
    ["^(a|a?)+$", "a".repeat(50_000) + "!", "a".repeat(50_000)],
    ["^(\\w+\\s?)*$", "word ".repeat(10_000) + "!", "word ".repeat(10_000)],
    ["^(.*a){12}$", "a".repeat(20_000) + "!", "a".repeat(20_000)],
    [
      "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
      "a".repeat(20_000) + "!",
      "a".repeat(20_000) + "@example.com",
    ],
  ];
  for (const [pattern, almost, matching] of cases) {
    const compiled = compilePayloadSchema(JSON.stringify({ type: "string", pattern }));
    assert.ok("check" in compiled, `${pattern} compiles: ${JSON.stringify(compiled)}`);
    assert.equal(compiled.check(almost)?.keyword, "pattern", `${pattern} refuses the almost-matching input`);
    assert.equal(compiled.check(matching), undefined, `${pattern} takes the matching input`);
  }
  // No clock is read: on RE2 these checks take milliseconds, and on a backtracking engine the test
  // would never finish. payload_schema_fuzz_test.ts asserts that no pattern reaches V8's engine.
});
