/**
 * Fuzzing payload schemas from the map and payloads from clients together: whatever schema a map
 * carries and whatever data a client sends, compile and check never throw, and no schema pattern ever
 * reaches V8's backtracking engine (they run on RE2, linear in the input). The payloads include
 * inputs that take a backtracking engine 2^40 steps on the classic catastrophic patterns: that the
 * run finishes at all shows they cannot hang a check. No wall clock is read.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { JsonValue } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { fuzz } from "../testing/fuzz.ts";
import { compileRouteMap } from "../route_map/compile_route_map.ts";
import { compilePayloadSchema, type SchemaViolation } from "./payload_schema.ts";
import { isReject, routeEvent } from "../routing/route_event.ts";

const regexUnit = fc.constantFrom(
  "a",
  "b",
  "(",
  ")",
  "|",
  "*",
  "+",
  "?",
  "{",
  "}",
  "2",
  ",",
  "[",
  "]",
  "\\",
  "^",
  "$",
  ".",
  "?:",
  "1",
);
const pattern = fc.oneof(
  fc.string({ unit: regexUnit, maxLength: 12 }),
  fc.constantFrom("^(a+)+$", "^(a|aa)*$", "^[a-z]+$", "(a?){20}a{20}", "^(\\w+\\s?)*$", "^(.*a){12}$"),
);
const typeName = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom("object", "array", "string", "integer", "number", "boolean", "null") },
  { weight: 1, arbitrary: fc.constant("strin") },
);
const keyName = fc.constantFrom("a", "b", "gold", "x", "");

/** Schemas built from real keywords, with values that are sometimes wrong. */
const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.boolean(),
    fc.record(
      {
        unknownKeyword: fc.constantFrom(undefined, undefined, undefined, 1),
        type: fc.oneof(typeName, fc.array(typeName, { maxLength: 2 })),
        minimum: fc.oneof(fc.integer(), fc.double()),
        maxLength: fc.integer({ min: -1, max: 10 }),
        pattern,
        enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        const: fc.jsonValue({ maxDepth: 1 }),
        required: fc.array(keyName, { maxLength: 2 }),
        properties: fc.dictionary(keyName, tie("schema"), { maxKeys: 2 }),
        patternProperties: fc.dictionary(pattern, tie("schema"), { maxKeys: 1 }),
        additionalProperties: tie("schema"),
        items: tie("schema"),
        prefixItems: fc.array(tie("schema"), { maxLength: 2 }),
        anyOf: fc.array(tie("schema"), { minLength: 1, maxLength: 2 }),
        not: tie("schema"),
        $defs: fc.dictionary(keyName, tie("schema"), { maxKeys: 2 }),
        $ref: fc.constantFrom("#/$defs/a", "#/$defs/b", "#/properties/x", "#", "https://x.test/s", "#a", "#/$defs/%zz"),
      },
      { requiredKeys: [] },
    ),
  ),
}));

/** Data clients send: any JSON, and strings made to trip backtracking patterns. */
const payload: fc.Arbitrary<JsonValue | undefined> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<JsonValue>,
  fc.constant(undefined),
  fc.integer({ min: 10, max: 40 }).map((n) => `${"a".repeat(n)}!`),
  fc.integer({ min: 10, max: 40 }).map((n) => ({ a: `${"a".repeat(n)}!`, gold: n, x: ["a".repeat(n)] })),
);

let checked = 0;
let patternsSeen = 0;

/** Every `pattern` and every `patternProperties` key anywhere in `schema` (and perhaps a few lookalikes). */
function patternsIn(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) { for (const item of schema) patternsIn(item, found); }
  else if (typeof schema === "object" && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "pattern" && typeof value === "string") found.add(value);
      if (key === "patternProperties" && typeof value === "object" && value !== null) {
        for (const name of Object.keys(value)) found.add(name);
      }
      patternsIn(value, found);
    }
  }
  return found;
}

/**
 * Runs `step` and fails if V8's own engine was asked to compile any of `patterns` meanwhile (`new
 * RegExp` or `RegExp()`, which is how ajv compiles a pattern unless told to use another engine).
 * Such a RegExp is refused on the spot, so that it cannot run (and hang) before the test fails.
 */
function offV8<T>(patterns: Set<string>, step: () => T): T {
  const original = globalThis.RegExp;
  const compiled: string[] = [];
  const seen = (args: unknown[]) => {
    const source = args[0] instanceof original ? args[0].source : String(args[0]);
    compiled.push(source);
    if (patterns.has(source)) throw new Error(`schema pattern ${source} sent to V8's RegExp`);
  };
  globalThis.RegExp = new Proxy(original, {
    construct(target, args, newTarget) {
      seen(args);
      return Reflect.construct(target, args, newTarget);
    },
    apply(target, self, args) {
      seen(args);
      return Reflect.apply(target, self, args);
    },
  });
  try {
    return step();
  } finally {
    globalThis.RegExp = original;
    patternsSeen += patterns.size;
    const onV8 = compiled.filter((p) => patterns.has(p));
    assert.deepEqual(onV8, [], "a schema pattern ran on V8's backtracking engine");
  }
}

Deno.test("compilePayloadSchema() and check() never throw or hang, over fuzzed schemas and payloads together", () => {
  fuzz(
    "schema and payload pairs",
    4_000,
    fc.tuple(schema, fc.array(payload, { minLength: 1, maxLength: 4 })),
    ([s, data]) => {
      const json = JSON.stringify(s, (_, v) => v === undefined ? undefined : v);
      const patterns = patternsIn(JSON.parse(json ?? "null"));
      const compiled = offV8(patterns, () => compilePayloadSchema(json));
      if ("problems" in compiled) {
        assert.ok(compiled.problems.length > 0);
        assert.ok(compiled.problems.every((p) => typeof p === "string" && p.length > 0));
        return;
      }
      const check: (data: JsonValue | undefined) => SchemaViolation | undefined = compiled.check;
      for (const value of data as (JsonValue | undefined)[]) {
        const violation = offV8(patterns, () => check(value));
        checked++;
        if (violation !== undefined) {
          assert.equal(typeof violation.pointer, "string");
          assert.ok(violation.pointer === "" || violation.pointer.startsWith("/"));
          assert.ok(violation.keyword.length > 0);
        }
      }
    },
  );
  assert.ok(checked > 1_000, `payloads checked against schemas that compiled: ${checked}`);
  assert.ok(patternsSeen > 1_000, `schema patterns kept off V8: ${patternsSeen}`);
});

Deno.test("compileRouteMap() and routeEvent() never throw over maps with fuzzed schemas and events with fuzzed data", () => {
  const stamp = { player: "p", receivedAtMs: 0, edgeId: "e", routeVersion: "2" };
  const maps = fc.record({
    schemas: fc.array(
      fc.record({
        match: fc.constantFrom("t.a", "t.*", "*", "bad!"),
        jsonSchema: schema.map((s) => JSON.stringify(s)),
      }),
      { maxLength: 3 },
    ),
    action: fc.constantFrom(0, 1, 2),
  });
  fuzz(
    "maps with schemas against events",
    1_500,
    fc.tuple(maps, fc.array(payload, { minLength: 1, maxLength: 4 })),
    ([m, data]) => {
      const map = create(RouteMapSchema, {
        version: 2n,
        badEventTopic: "bad",
        routes: [{ name: "t", match: "t.*", targets: [{ topic: "game.t" }], onSchemaViolation: m.action }],
        schemas: m.schemas,
      });
      const patterns = patternsIn(m.schemas.map((s) => JSON.parse(s.jsonSchema ?? "null")));
      const compiled = offV8(patterns, () => compileRouteMap(map));
      if (!compiled.ok) return;
      for (const value of data) {
        const routed = offV8(
          patterns,
          () => routeEvent({ id: "e-1", type: "t.a", data: value }, compiled.table, stamp, 1 << 20),
        );
        if (isReject(routed)) assert.ok(["SCHEMA_VIOLATION", "INVALID_EVENT"].includes(routed.code), routed.code);
        else assert.ok(routed.records.length === 1 && ["game.t", "bad"].includes(routed.records[0]!.topic));
      }
    },
  );
});

Deno.test("a property name made to trip a catastrophic patternProperties key never reaches V8's engine", () => {
  // Found by the fuzz run above: ajv's strict mode tested `patternProperties` keys against the
  // names in `properties` with V8's RegExp while compiling (2^40 steps for this name).
  const name = `${"a".repeat(40)}!`;
  const schema = { properties: { [name]: { type: "integer" } }, patternProperties: { "^(a+)+$": false } };
  const compiled = offV8(new Set(["^(a+)+$"]), () => compilePayloadSchema(JSON.stringify(schema)));
  assert.ok("check" in compiled, JSON.stringify(compiled));
  assert.equal(compiled.check({ [name]: 1 }), undefined);
  assert.equal(compiled.check({ aaa: 1 })?.keyword, "false schema");
});
