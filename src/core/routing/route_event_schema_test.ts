import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Format, KeyStrategy, RouteMapSchema, SchemaViolationAction } from "../../gen/veltrix/v1/route_map_pb.ts";
import { precompilePayloadSchemas } from "../route_map/compile_payload_schemas.ts";
import { compileRouteMap, compileRouteMapOrThrow } from "../route_map/compile_route_map.ts";
import { compilePayloadSchema, type PayloadSchemaCompiler } from "../schemas/payload_schema.ts";
import { isReject, routeEvent } from "./route_event.ts";
import { BAD_EVENT_HEADERS } from "./record_headers.ts";

const stamp = { player: "alice", receivedAtMs: 1_700_000_000_000, edgeId: "edge-1", routeVersion: "4" };
const gold = JSON.stringify({
  type: "object",
  required: ["gold"],
  properties: { gold: { type: "integer", minimum: 0 } },
});
const moved = JSON.stringify({ type: "object", required: ["x", "y"] });

function schemaMap(
  version = 4n,
  action = SchemaViolationAction.REJECT,
  extra: { match: string; jsonSchema: string }[] = [],
) {
  const target = (topic: string) => ({ topic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF });
  return create(RouteMapSchema, {
    version,
    deadLetterTopic: "veltrix.unrouted",
    badEventTopic: "veltrix.bad-events",
    routes: [
      { name: "treasure", match: "treasure.*", targets: [target("game.treasure")], onSchemaViolation: action },
      { name: "player", match: "player.*", targets: [target("game.player")], onSchemaViolation: action },
    ],
    schemas: [{ match: "treasure.collected", jsonSchema: gold }, { match: "player.*", jsonSchema: moved }, ...extra],
  });
}

Deno.test("routeEvent() rejects data that fails a REJECT route's schema with SCHEMA_VIOLATION naming the pointer and keyword", () => {
  const table = compileRouteMapOrThrow(schemaMap());
  const routed = routeEvent({ id: "e-1", type: "treasure.collected", data: { gold: -3 } }, table, stamp, 1 << 20);
  assert.ok(isReject(routed));
  assert.equal(routed.code, "SCHEMA_VIOLATION");
  assert.equal(routed.id, "e-1");
  assert.match(routed.message, /"treasure\.collected" at "\/gold": minimum \(must be >= 0\)/);
  const missing = routeEvent({ id: "e-2", type: "player.moved", data: undefined }, table, stamp, 1 << 20);
  assert.ok(isReject(missing));
  assert.match(missing.message, /"player\.\*" at "": type/);
});

Deno.test("routeEvent() routes data that matches its schema as usual, and types without a schema unchecked", () => {
  const table = compileRouteMapOrThrow(schemaMap());
  const ok = routeEvent({ id: "e-1", type: "treasure.collected", data: { gold: 3 } }, table, stamp, 1 << 20);
  assert.ok(!isReject(ok));
  assert.deepEqual(ok.records.map((r) => r.topic), ["game.treasure"]);
  assert.equal(ok.records[0]!.headers[BAD_EVENT_HEADERS.reason], undefined);
  assert.equal(table.resolve("treasure.opened").schemaCheck, undefined);
  const free = routeEvent({ id: "e-2", type: "treasure.opened", data: "anything" }, table, stamp, 1 << 20);
  assert.ok(!isReject(free));
});

Deno.test("routeEvent() writes data that fails a DEAD_LETTER route's schema to the bad-event topic, with headers that say why", () => {
  const table = compileRouteMapOrThrow(schemaMap(4n, SchemaViolationAction.DEAD_LETTER));
  const routed = routeEvent({ id: "e-1", type: "treasure.collected", data: { gold: "x" } }, table, stamp, 1 << 20);
  assert.ok(!isReject(routed));
  assert.equal(routed.records.length, 1);
  const record = routed.records[0]!;
  assert.equal(record.topic, "veltrix.bad-events");
  assert.equal(record.key, "alice");
  assert.deepEqual(
    [BAD_EVENT_HEADERS.reason, BAD_EVENT_HEADERS.pointer, BAD_EVENT_HEADERS.keyword, BAD_EVENT_HEADERS.schema]
      .map((h) => record.headers[h]),
    ["SCHEMA_VIOLATION", "/gold", "type", "treasure.collected"],
  );
  assert.equal(record.headers[BAD_EVENT_HEADERS.type], "treasure.collected");
  assert.equal(record.headers[BAD_EVENT_HEADERS.edge], "edge-1");
  assert.equal(record.headers["veltrix-route-version"], "4");
  assert.equal(record.headers["veltrix-event-id"], "e-1");
});

Deno.test("a type is checked against its most specific schema: exact, then the longest prefix, then *", () => {
  const extra = [
    { match: "*", jsonSchema: '{"type":"object"}' },
    { match: "treasure.gem.*", jsonSchema: '{"type":"string"}' },
    { match: "treasure.*", jsonSchema: '{"type":"array"}' },
  ];
  const table = compileRouteMapOrThrow(schemaMap(4n, SchemaViolationAction.REJECT, extra));
  assert.equal(table.resolve("treasure.collected").schemaCheck?.rule.match, "treasure.collected");
  assert.equal(table.resolve("treasure.gem.red").schemaCheck?.rule.match, "treasure.gem.*");
  assert.equal(table.resolve("treasure.opened").schemaCheck?.rule.match, "treasure.*");
  assert.equal(table.resolve("player.moved").schemaCheck?.rule.match, "player.*");
  assert.equal(table.resolve("lobby.ping").schemaCheck, undefined, "unrouted types are not checked");
});

Deno.test("REJECT wins when the routes of a type disagree; DEAD_LETTER needs every matching route to say it", () => {
  const map = schemaMap(4n, SchemaViolationAction.DEAD_LETTER);
  map.routes.push({ ...map.routes[0]!, name: "strict", match: "treasure.collected", onSchemaViolation: 0 });
  const table = compileRouteMapOrThrow(map);
  assert.equal(table.resolve("treasure.collected").schemaCheck?.badEvent, undefined);
  assert.equal(table.resolve("player.moved").schemaCheck?.badEvent?.targets[0]?.topic, "veltrix.bad-events");
});

Deno.test("compileRouteMap() lists every schema problem: bad match, duplicate, bad schema, DEAD_LETTER without a bad-event topic", () => {
  const map = schemaMap(4n, SchemaViolationAction.DEAD_LETTER, [
    { match: "player.*", jsonSchema: "{}" },
    { match: "bad match!", jsonSchema: "{}" },
    { match: "lobby.ping", jsonSchema: '{"type":"strin"}' },
    { match: "lobby.pong", jsonSchema: '{"pattern":"(a)\\\\1"}' },
  ]);
  map.badEventTopic = "";
  const result = compileRouteMap(map);
  assert.ok(!result.ok);
  assert.deepEqual(result.problems.map((p) => p.path), [
    "routes[0].onSchemaViolation",
    "routes[1].onSchemaViolation",
    "schemas[2].match",
    "schemas[3].match",
    "schemas[4].jsonSchema",
    "schemas[5].jsonSchema",
  ]);
  assert.match(result.problems[5]!.message, /^SCHEMA_UNSAFE_PATTERN/);
  const unknown = compileRouteMap(schemaMap(4n, 7 as SchemaViolationAction));
  assert.match(unknown.ok ? "" : unknown.problems[0]!.message, /unknown schema violation action 7/);
});

Deno.test("limit TOO_MANY_SCHEMAS: a map with more than maxSchemasPerMap schemas is refused", () => {
  const extra = Array.from({ length: 1_000 }, (_, i) => ({ match: `t${i}.x`, jsonSchema: "{}" }));
  const result = compileRouteMap(schemaMap(4n, SchemaViolationAction.REJECT, extra));
  assert.ok(!result.ok);
  assert.match(result.problems[0]!.message, /^TOO_MANY_SCHEMAS: map has 1002 schemas; the limit is 1000/);
});

Deno.test("a map that changes only routes does not compile its schemas again (counted compiles)", () => {
  let compiles = 0;
  const counting: PayloadSchemaCompiler = (text) => {
    compiles++;
    return compilePayloadSchema(text);
  };
  const first = compileRouteMapOrThrow(schemaMap(4n), { compile: counting });
  assert.equal(compiles, 2);
  const routesOnly = schemaMap(5n);
  routesOnly.routes.push({ ...routesOnly.routes[0]!, name: "extra", match: "lobby.*" });
  const second = compileRouteMapOrThrow(routesOnly, { compile: counting, previous: first.compiledSchemas });
  assert.equal(compiles, 2, "no schema compiled again");
  assert.equal(
    second.resolve("treasure.collected").schemaCheck?.rule.validator,
    first.resolve("treasure.collected").schemaCheck?.rule.validator,
  );
  const oneChanged = schemaMap(6n);
  oneChanged.schemas[1]!.jsonSchema = '{"type":"object","required":["x"]}';
  compileRouteMapOrThrow(oneChanged, { compile: counting, previous: second.compiledSchemas });
  assert.equal(compiles, 3, "only the changed schema compiled");
  const sameTextTwice = schemaMap(7n, SchemaViolationAction.REJECT, [{ match: "lobby.*", jsonSchema: gold }]);
  compileRouteMapOrThrow(sameTextTwice, { compile: counting });
  assert.equal(compiles, 5, "a text used twice in one map compiles once");
});

Deno.test("precompilePayloadSchemas() compiles only new schema texts, pausing after each, and compile then compiles none", async () => {
  let compiles = 0, pauses = 0;
  const counting: PayloadSchemaCompiler = (text) => {
    compiles++;
    return compilePayloadSchema(text);
  };
  const map = schemaMap(4n, SchemaViolationAction.REJECT, [{ match: "lobby.*", jsonSchema: "{]" }]);
  const known = await precompilePayloadSchemas(map, { compile: counting }, () => {
    pauses++;
    return Promise.resolve();
  });
  assert.deepEqual([compiles, pauses, known.size], [3, 3, 2]);
  const result = compileRouteMap(map, { compile: counting, previous: known });
  assert.ok(!result.ok, "the schema that failed is reported by compile");
  assert.equal(compiles, 4, "only the failing schema is compiled again, to report it");
  const again = await precompilePayloadSchemas(schemaMap(5n), { compile: counting, previous: known }, () => {
    pauses++;
    return Promise.resolve();
  });
  assert.deepEqual([compiles, pauses, again.size], [4, 3, 2]);
});
