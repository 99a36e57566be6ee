import assert from "node:assert/strict";
import { parseAuthoredRouteMap } from "./authored_route_map.ts";

Deno.test("parseAuthoredRouteMap() turns a schema written as an object into its JSON text, and keeps text as it is", () => {
  const map = parseAuthoredRouteMap(JSON.stringify({
    version: "3",
    badEventTopic: "veltrix.bad-events",
    schemas: [
      { match: "a.b", jsonSchema: { type: "object", required: ["x"] } },
      { match: "a.*", jsonSchema: '{"type":"array"}' },
      { match: "*", jsonSchema: true },
    ],
    routes: [{ name: "a", match: "a.*", onSchemaViolation: "SCHEMA_VIOLATION_ACTION_DEAD_LETTER" }],
  }));
  assert.deepEqual(map.schemas.map((s) => s.jsonSchema), [
    '{"type":"object","required":["x"]}',
    '{"type":"array"}',
    "true",
  ]);
  assert.equal(map.routes[0]!.onSchemaViolation, 2);
  assert.equal(map.badEventTopic, "veltrix.bad-events");
});

Deno.test("parseAuthoredRouteMap() throws on text that is not JSON or not a RouteMap", () => {
  assert.throws(() => parseAuthoredRouteMap("{"));
  assert.throws(() => parseAuthoredRouteMap('{"routes":3}'));
});
