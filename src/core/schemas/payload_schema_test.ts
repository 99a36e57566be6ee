import assert from "node:assert/strict";
import type { JsonValue } from "@bufbuild/protobuf";
import { type CompiledPayloadSchema, compilePayloadSchema, payloadSchemaKey } from "./payload_schema.ts";
import { PAYLOAD_SCHEMA_LIMITS } from "./payload_schema_limits.ts";

function compiled(schema: unknown): CompiledPayloadSchema {
  const result = compilePayloadSchema(JSON.stringify(schema));
  if ("problems" in result) throw new Error(result.problems.join("; "));
  return result;
}

function problems(schema: unknown): string[] {
  const result = compilePayloadSchema(typeof schema === "string" ? schema : JSON.stringify(schema));
  return "problems" in result ? result.problems : [];
}

/** One schema per keyword family, data it accepts, and data it refuses with the pointer and keyword expected. */
const FAMILIES: {
  family: string;
  schema: unknown;
  valid: JsonValue[];
  invalid: [JsonValue | undefined, string, string][];
}[] = [
  {
    family: "type",
    schema: { type: "object" },
    valid: [{}, { a: 1 }],
    invalid: [[3, "", "type"], [undefined, "", "type"], [[1], "", "type"]],
  },
  {
    family: "numbers (minimum, exclusiveMaximum, multipleOf, integer)",
    schema: { type: "integer", minimum: 0, exclusiveMaximum: 1000, multipleOf: 5 },
    valid: [0, 5, 995],
    invalid: [[-5, "", "minimum"], [1000, "", "exclusiveMaximum"], [7, "", "multipleOf"], [2.5, "", "type"]],
  },
  {
    family: "strings (minLength, maxLength, pattern, enum, const)",
    schema: {
      type: "object",
      properties: {
        name: { type: "string", minLength: 2, maxLength: 8, pattern: "^[a-z]+$" },
        color: { enum: ["red", "blue"] },
        kind: { const: "gem" },
      },
    },
    valid: [{ name: "ab", color: "red", kind: "gem" }, {}],
    invalid: [
      [{ name: "a" }, "/name", "minLength"],
      [{ name: "abcdefghi" }, "/name", "maxLength"],
      [{ name: "AB" }, "/name", "pattern"],
      [{ color: "green" }, "/color", "enum"],
      [{ kind: "coin" }, "/kind", "const"],
    ],
  },
  {
    family: "objects (required, additionalProperties, propertyNames, min/maxProperties, dependentRequired)",
    schema: {
      type: "object",
      required: ["gold"],
      properties: { gold: { type: "integer" }, x: {}, y: {} },
      additionalProperties: false,
      maxProperties: 3,
      dependentRequired: { x: ["y"] },
    },
    valid: [{ gold: 1 }, { gold: 1, x: 1, y: 2 }],
    invalid: [
      [{}, "", "required"],
      [{ gold: 1, z: 2 }, "", "additionalProperties"],
      [{ gold: 1, x: 1 }, "", "dependentRequired"],
      [{ gold: "1" }, "/gold", "type"],
    ],
  },
  {
    family: "arrays (items, prefixItems, minItems, maxItems, uniqueItems, contains)",
    schema: {
      type: "array",
      prefixItems: [{ type: "string" }],
      items: { type: "integer" },
      minItems: 1,
      maxItems: 3,
      uniqueItems: true,
      contains: { const: 7 },
    },
    valid: [["a", 7], ["a", 1, 7]],
    invalid: [
      [[], "", "minItems"],
      [["a", 7, 7], "", "uniqueItems"],
      [["a", 1, 2, 7], "", "maxItems"],
      [[1, 7], "/0", "type"],
      [["a", "b"], "/1", "type"],
      [["a", 1], "", "contains"],
    ],
  },
  {
    family: "composition (allOf, anyOf, oneOf, not, if/then/else) and local $ref",
    schema: {
      $defs: { positive: { type: "number", exclusiveMinimum: 0 } },
      type: "object",
      properties: {
        a: { allOf: [{ $ref: "#/$defs/positive" }, { maximum: 10 }] },
        b: { anyOf: [{ type: "string" }, { type: "boolean" }] },
        c: { oneOf: [{ type: "integer" }, { type: "number", minimum: 5 }] },
        d: { not: { type: "null" } },
        e: { if: { type: "string" }, then: { minLength: 3 }, else: { type: "integer" } },
      },
    },
    valid: [{ a: 5, b: true, c: 2, d: 1, e: "abc" }, { e: 3 }],
    invalid: [
      [{ a: -1 }, "/a", "exclusiveMinimum"],
      [{ a: 11 }, "/a", "maximum"],
      [{ b: 1 }, "/b", "anyOf"],
      [{ c: 6 }, "/c", "oneOf"],
      [{ d: null }, "/d", "not"],
      [{ e: "ab" }, "/e", "minLength"],
      [{ e: 1.5 }, "/e", "type"],
    ],
  },
  {
    family: "unevaluatedProperties",
    schema: { type: "object", properties: { a: {} }, unevaluatedProperties: false },
    valid: [{ a: 1 }],
    invalid: [[{ a: 1, b: 2 }, "", "unevaluatedProperties"]],
  },
];

for (const { family, schema, valid, invalid } of FAMILIES) {
  Deno.test(`compilePayloadSchema() checks ${family}: the failing pointer and keyword are reported`, () => {
    const check = compiled(schema).check;
    for (const data of valid) assert.equal(check(data), undefined, JSON.stringify(data));
    for (const [data, pointer, keyword] of invalid) {
      const violation = check(data);
      assert.ok(violation, `${JSON.stringify(data)} fails`);
      assert.deepEqual([violation.pointer, violation.keyword], [pointer, keyword], JSON.stringify(data));
      assert.ok(violation.message.length > 0);
    }
  });
}

Deno.test("compilePayloadSchema() reports a schema that is not JSON, not a schema, or uses an unknown keyword", () => {
  assert.match(problems("{nope")[0] ?? "", /not JSON/);
  assert.match(problems([1])[0] ?? "", /object or a boolean/);
  assert.match(problems({ type: "strin" })[0] ?? "", /does not compile/);
  assert.match(problems({ type: "string", minLenght: 3 })[0] ?? "", /does not compile: .*minLenght/);
  assert.deepEqual(problems(true), []);
});

Deno.test("compilePayloadSchema() treats format as an annotation: no format is validated", () => {
  assert.equal(compiled({ type: "string", format: "email" }).check("not an email"), undefined);
});

Deno.test("payloadSchemaKey() is the same for the same text and differs for different texts", () => {
  assert.equal(payloadSchemaKey('{"type":"object"}'), payloadSchemaKey('{"type":"object"}'));
  assert.notEqual(payloadSchemaKey('{"type":"object"}'), payloadSchemaKey('{"type":"array"}'));
  assert.notEqual(payloadSchemaKey(""), payloadSchemaKey(" "));
});

Deno.test("limit SCHEMA_TOO_LARGE: a schema text over maxSchemaBytes is refused before it is parsed", () => {
  const { value } = PAYLOAD_SCHEMA_LIMITS.maxSchemaBytes;
  const big = JSON.stringify({ description: "x".repeat(value), type: "object" });
  assert.match(problems(big)[0] ?? "", /^SCHEMA_TOO_LARGE: /);
  assert.deepEqual(problems({ description: "x".repeat(value - 100) }), []);
});

Deno.test("limit SCHEMA_TOO_DEEP: a schema nesting deeper than maxSchemaDepth is refused", () => {
  let deep: unknown = { type: "integer" };
  for (let i = 0; i <= PAYLOAD_SCHEMA_LIMITS.maxSchemaDepth.value; i++) deep = { not: deep };
  assert.match(problems(deep).join("; "), /^SCHEMA_TOO_DEEP: /);
  let shallow: unknown = { type: "integer" };
  for (let i = 0; i < PAYLOAD_SCHEMA_LIMITS.maxSchemaDepth.value; i++) shallow = { not: shallow };
  assert.deepEqual(problems(shallow), []);
});

Deno.test("limit SCHEMA_REF_TOO_DEEP: a chain of more than maxRefDepth $ref hops, or a $ref cycle, is refused", () => {
  const chain = (hops: number) => {
    const $defs: Record<string, unknown> = { d0: { type: "integer" } };
    for (let i = 1; i < hops; i++) $defs[`d${i}`] = { $ref: `#/$defs/d${i - 1}` };
    return { $defs, $ref: `#/$defs/d${hops - 1}` };
  };
  const { value } = PAYLOAD_SCHEMA_LIMITS.maxRefDepth;
  assert.deepEqual(problems(chain(value)), []);
  assert.match(problems(chain(value + 1)).join("; "), /^SCHEMA_REF_TOO_DEEP: .*chain of 9 hops/);
  assert.match(
    problems({ $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } }, $ref: "#/$defs/a" })[0] ?? "",
    /SCHEMA_REF_TOO_DEEP: .*leads back to itself/,
  );
  assert.match(problems({ type: "object", properties: { child: { $ref: "#" } } })[0] ?? "", /SCHEMA_REF_TOO_DEEP/);
});

Deno.test("limit SCHEMA_REMOTE_REF: remote refs, anchors, $id and $dynamicRef are refused", () => {
  assert.match(problems({ $ref: "https://example.com/s.json" })[0] ?? "", /^SCHEMA_REMOTE_REF: \$ref "https:/);
  assert.match(problems({ $ref: "other.json#/a" })[0] ?? "", /^SCHEMA_REMOTE_REF/);
  assert.match(problems({ $id: "https://example.com/s" })[0] ?? "", /^SCHEMA_REMOTE_REF: "\$id"/);
  assert.match(problems({ properties: { a: { $dynamicRef: "#x" } } })[0] ?? "", /^SCHEMA_REMOTE_REF/);
  assert.match(problems({ $defs: { a: { $anchor: "x" } }, $ref: "#x" }).join("; "), /SCHEMA_REMOTE_REF/);
});

Deno.test("limit SCHEMA_UNSAFE_PATTERN: pattern and patternProperties keys RE2 cannot run are refused", () => {
  assert.match(
    problems({ type: "string", pattern: "^(a)\\1$" })[0] ?? "",
    /^SCHEMA_UNSAFE_PATTERN: "\^\(a\)\\1\$": backreferences/,
  );
  assert.match(problems({ patternProperties: { "^(?=x)x$": {} } })[0] ?? "", /^SCHEMA_UNSAFE_PATTERN: .*lookahead/);
  assert.match(problems({ items: { pattern: "(a)\\1" } })[0] ?? "", /^SCHEMA_UNSAFE_PATTERN/);
  assert.match(problems({ type: "string", pattern: "a\\Z" })[0] ?? "", /^SCHEMA_UNSAFE_PATTERN: .*RE2\) cannot run it/);
  assert.match(
    problems({ type: "string", pattern: "a".repeat(257) })[0] ?? "",
    /^SCHEMA_UNSAFE_PATTERN: .*at most 256/,
  );
  assert.deepEqual(problems({ type: "string", pattern: "^[a-z]{1,8}(\\.[a-z]+)?$" }), []);
});

Deno.test("patterns that backtrack on V8 are taken: they run on RE2, in linear time", () => {
  assert.deepEqual(problems({ type: "string", pattern: "^(a+)+$" }), []);
  assert.deepEqual(problems({ patternProperties: { "^(x|xy)*$": {} } }), []);
});

Deno.test("a pattern in data positions (const, enum, examples) is data, not a regex, and is not checked", () => {
  assert.deepEqual(problems({ const: { pattern: "^(a+)+$", $ref: "https://x" }, examples: [{ $id: "y" }] }), []);
});
