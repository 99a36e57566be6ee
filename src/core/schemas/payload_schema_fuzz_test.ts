/**
 * Fuzzing payload schemas from the map and payloads from clients together: whatever schema a map
 * carries and whatever data a client sends, compile and check never throw, and no check is slow.
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

/** No single check may take longer than this (a backtracking pattern takes seconds). */
const CHECK_BUDGET_MS = 50;
/** The whole fuzz run of one test stays within this. */
const RUN_BUDGET_MS = 60_000;

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

function timed<T>(step: () => T): T {
  const started = performance.now();
  const value = step();
  const ms = performance.now() - started;
  assert.ok(ms < CHECK_BUDGET_MS, `one step took ${ms.toFixed(1)} ms`);
  return value;
}

Deno.test("compilePayloadSchema() and check() never throw or hang, over fuzzed schemas and payloads together", () => {
  const started = performance.now();
  fuzz(
    "schema and payload pairs",
    4_000,
    fc.tuple(schema, fc.array(payload, { minLength: 1, maxLength: 4 })),
    ([s, data]) => {
      const compiled = compilePayloadSchema(JSON.stringify(s, (_, v) => v === undefined ? undefined : v));
      if ("problems" in compiled) {
        assert.ok(compiled.problems.length > 0);
        assert.ok(compiled.problems.every((p) => typeof p === "string" && p.length > 0));
        return;
      }
      const check: (data: JsonValue | undefined) => SchemaViolation | undefined = compiled.check;
      for (const value of data as (JsonValue | undefined)[]) {
        const violation = timed(() => check(value));
        checked++;
        if (violation !== undefined) {
          assert.equal(typeof violation.pointer, "string");
          assert.ok(violation.pointer === "" || violation.pointer.startsWith("/"));
          assert.ok(violation.keyword.length > 0);
        }
      }
    },
  );
  assert.ok(performance.now() - started < RUN_BUDGET_MS, "fuzz run within its time bound");
  assert.ok(checked > 1_000, `payloads checked against schemas that compiled: ${checked}`);
});

Deno.test("compileRouteMap() and routeEvent() never throw over maps with fuzzed schemas and events with fuzzed data", () => {
  const started = performance.now();
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
      const compiled = compileRouteMap(map);
      if (!compiled.ok) return;
      for (const value of data) {
        const routed = timed(() => routeEvent({ id: "e-1", type: "t.a", data: value }, compiled.table, stamp, 1 << 20));
        if (isReject(routed)) assert.ok(["SCHEMA_VIOLATION", "INVALID_EVENT"].includes(routed.code), routed.code);
        else assert.ok(routed.records.length === 1 && ["game.t", "bad"].includes(routed.records[0]!.topic));
      }
    },
  );
  assert.ok(performance.now() - started < RUN_BUDGET_MS, "fuzz run within its time bound");
});
