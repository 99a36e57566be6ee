/**
 * The per-event cost of payload schemas: `routeEvent` on a `treasure.collected` event under the
 * embedded map (no schemas) and under the same routes with a schema for the type (data that
 * matches, data that fails and is rejected, data that fails and is dead-lettered), and the schema
 * check alone. A type without a schema under a map with schemas shows that it pays nothing.
 *
 * `deno bench src/core/routing/route_event_bench.ts`
 *
 * @module
 */
import { SchemaViolationAction } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "../route_map/compile_route_map.ts";
import { defaultRouteMap } from "../route_map/default_route_map.ts";
import { routeEvent } from "./route_event.ts";

const TREASURE_SCHEMA = JSON.stringify({
  type: "object",
  required: ["chest", "gold"],
  properties: {
    chest: { type: "integer", minimum: 0 },
    gold: { type: "integer", minimum: 0, maximum: 10_000 },
    rare: { type: "boolean" },
  },
  additionalProperties: false,
});

function withSchemas(action: SchemaViolationAction) {
  const map = defaultRouteMap();
  map.version = 2n;
  map.badEventTopic = "veltrix.bad-events";
  for (const route of map.routes) route.onSchemaViolation = action;
  map.schemas.push({ $typeName: "veltrix.v1.PayloadSchema", match: "treasure.collected", jsonSchema: TREASURE_SCHEMA });
  return compileRouteMapOrThrow(map);
}

const plain = compileRouteMapOrThrow(defaultRouteMap());
const rejecting = withSchemas(SchemaViolationAction.REJECT);
const deadLettering = withSchemas(SchemaViolationAction.DEAD_LETTER);
const stamp = { player: "p-1", receivedAtMs: 1_700_000_000_000, edgeId: "edge-1", routeVersion: "2" };
const good = { id: "e-1", type: "treasure.collected", data: { chest: 12, gold: 40, rare: false } };
const bad = { id: "e-2", type: "treasure.collected", data: { chest: 12, gold: -1 } };
const unchecked = { id: "e-3", type: "player.moved", data: { x: 1, y: 2, zone: 3 } };
const check = rejecting.resolve("treasure.collected").schemaCheck!.rule.validator.check;

Deno.bench("routeEvent: no schema in the map", { group: "schemas", baseline: true }, () => {
  routeEvent(good, plain, stamp, 1 << 20);
});
Deno.bench("routeEvent: schema, data matches", { group: "schemas" }, () => {
  routeEvent(good, rejecting, stamp, 1 << 20);
});
Deno.bench("routeEvent: schema, data fails, REJECT", { group: "schemas" }, () => {
  routeEvent(bad, rejecting, stamp, 1 << 20);
});
Deno.bench("routeEvent: schema, data fails, DEAD_LETTER", { group: "schemas" }, () => {
  routeEvent(bad, deadLettering, stamp, 1 << 20);
});
Deno.bench("routeEvent: a type without a schema, in a map with schemas", { group: "unchecked", baseline: true }, () => {
  routeEvent(unchecked, rejecting, stamp, 1 << 20);
});
Deno.bench("routeEvent: the same type, in a map without schemas", { group: "unchecked" }, () => {
  routeEvent(unchecked, plain, stamp, 1 << 20);
});
Deno.bench("schema check alone, data matches", { group: "check" }, () => {
  check(good.data);
});

const PATTERN_SCHEMA = JSON.stringify({
  type: "object",
  required: ["chest", "hunter"],
  properties: {
    chest: { type: "integer", minimum: 0 },
    hunter: { type: "string", pattern: "^[a-z][a-z0-9_-]{2,31}$" },
    code: { type: "string", pattern: "^[A-F0-9][A-F0-9-]{2,38}[A-F0-9]$" },
  },
});
const patterned = (() => {
  const map = defaultRouteMap();
  map.version = 3n;
  map.schemas.push({ $typeName: "veltrix.v1.PayloadSchema", match: "treasure.collected", jsonSchema: PATTERN_SCHEMA });
  return compileRouteMapOrThrow(map);
})();
const checkPatterns = patterned.resolve("treasure.collected").schemaCheck!.rule.validator.check;
const withPatterns = { chest: 12, hunter: "ada_lovelace", code: "BEEF-0042-CAFE" };

Deno.bench("schema check alone, two patterns that match", { group: "patterns", baseline: true }, () => {
  checkPatterns(withPatterns);
});
Deno.bench("routeEvent: schema with two patterns, data matches", { group: "patterns" }, () => {
  routeEvent({ id: "e-4", type: "treasure.collected", data: withPatterns }, patterned, stamp, 1 << 20);
});
