import assert from "node:assert/strict";
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import {
  Format,
  KeyStrategy,
  RouteMapSchema,
  SchemaViolationAction,
  TenantQuotaScope,
} from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMap, compileRouteMapOrThrow } from "./compile_route_map.ts";
import { decodeRoutableMap } from "./decode_route_map.ts";
import type { RouteMapProblem } from "./route_map_problem.ts";
import {
  defaultRouteMap,
  LEADERBOARD_TOPIC,
  PLAYER_ACTIVITY_TOPIC,
  TREASURE_TOPIC,
  UNROUTED_TOPIC,
} from "./default_route_map.ts";
import { RouteTable } from "./route_table.ts";
import { MAX_TENANTS } from "./tenancy.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

type MapInit = MessageInitShape<typeof RouteMapSchema>;

function routeMap(init: MapInit) {
  return create(RouteMapSchema, init);
}

function problemsOf(init: MapInit): readonly RouteMapProblem[] {
  const result = compileRouteMap(routeMap(init));
  assert.equal(result.ok, false, "expected the map to be invalid");
  return result.ok ? [] : result.problems;
}

const target = { topic: "game.events", key: KeyStrategy.PLAYER, format: Format.PROTOBUF };

Deno.test("compileRouteMap() compiles the default map", () => {
  const result = compileRouteMap(defaultRouteMap());
  assert.ok(result.ok);
  const table = result.table;
  assert.ok(table instanceof RouteTable);
  assert.equal(table.version, 1n);
  assert.equal(table.versionText, "1");
  assert.equal(table.deadLetterTopic, UNROUTED_TOPIC);
  assert.deepEqual(table.routes.map((r) => r.name), ["player-activity", "treasure", "leaderboard"]);
  assert.deepEqual(table.routes.map((r) => r.pattern), [
    { kind: "prefix", prefix: "player." },
    { kind: "prefix", prefix: "treasure." },
    { kind: "exact", type: "treasure.collected" },
  ]);
  assert.deepEqual(table.topics, [LEADERBOARD_TOPIC, PLAYER_ACTIVITY_TOPIC, TREASURE_TOPIC, UNROUTED_TOPIC].sort());
});

Deno.test("compileRouteMap() keeps the map it compiled as the table's source", () => {
  const map = defaultRouteMap();
  const result = compileRouteMap(map);
  assert.ok(result.ok);
  assert.equal(result.table.map, map);
});

Deno.test("compileRouteMap() resolves UNSPECIFIED key and format to PLAYER and PROTOBUF", () => {
  const result = compileRouteMap(routeMap({
    version: 3n,
    routes: [{ name: "r", match: "a", targets: [{ topic: "t" }] }],
  }));
  assert.ok(result.ok);
  assert.deepEqual(result.table.routes[0]?.targets, [{ topic: "t", key: KeyStrategy.PLAYER, format: Format.PROTOBUF }]);
});

Deno.test("compileRouteMap() keeps every explicit key strategy and format", () => {
  const targets = [
    { topic: "t1", key: KeyStrategy.PLAYER, format: Format.JSON },
    { topic: "t2", key: KeyStrategy.EVENT_TYPE, format: Format.PROTOBUF },
    { topic: "t3", key: KeyStrategy.EVENT_ID, format: Format.JSON },
    { topic: "t4", key: KeyStrategy.NONE, format: Format.PROTOBUF },
  ];
  const result = compileRouteMap(routeMap({ version: 1n, routes: [{ name: "r", match: "*", targets }] }));
  assert.ok(result.ok);
  assert.deepEqual(result.table.routes[0]?.targets, targets);
});

Deno.test("compileRouteMap() treats an empty dead-letter topic as none", () => {
  const result = compileRouteMap(routeMap({ version: 1n, routes: [{ name: "r", match: "a", targets: [target] }] }));
  assert.ok(result.ok);
  assert.equal(result.table.deadLetterTopic, undefined);
  assert.deepEqual(result.table.topics, ["game.events"]);
});

Deno.test("compileRouteMap() accepts a map with no routes", () => {
  const result = compileRouteMap(routeMap({ version: 1n, deadLetterTopic: "dead" }));
  assert.ok(result.ok);
  assert.deepEqual(result.table.routes, []);
  assert.deepEqual(result.table.topics, ["dead"]);
});

Deno.test("compileRouteMap() reports every problem at once, each with its path", () => {
  const problems = problemsOf({
    version: 0n,
    deadLetterTopic: "dead letter",
    routes: [
      { name: "ok", match: "a.*", targets: [target] },
      { name: "", match: "b", targets: [target] },
      { name: "ok", match: "Bad.*", targets: [] },
      {
        name: "third",
        match: "a.*.b",
        targets: [
          { topic: "", key: KeyStrategy.PLAYER, format: Format.JSON },
          { topic: "fine", key: 99 as KeyStrategy, format: 99 as Format },
          { topic: "..", key: KeyStrategy.NONE, format: Format.PROTOBUF },
        ],
      },
    ],
  });
  assert.deepEqual(problems.map((p) => p.path), [
    "version",
    "routes[1].name",
    "routes[2].name",
    "routes[2].match",
    "routes[2].targets",
    "routes[3].match",
    "routes[3].targets[0].topic",
    "routes[3].targets[1].key",
    "routes[3].targets[1].format",
    "routes[3].targets[2].topic",
    "deadLetterTopic",
  ]);
  const message = (path: string) => problems.find((p) => p.path === path)?.message ?? "";
  assert.equal(message("version"), "version must be at least 1");
  assert.equal(message("routes[1].name"), "route name is empty");
  assert.equal(message("routes[2].name"), 'duplicate route name "ok"');
  assert.match(message("routes[2].match"), /Bad\.\*/);
  assert.equal(message("routes[2].targets"), "route has no targets");
  assert.match(message("routes[3].match"), /a\.\*\.b/);
  assert.equal(message("routes[3].targets[0].topic"), "topic name is empty");
  assert.equal(message("routes[3].targets[1].key"), "unknown key strategy 99");
  assert.equal(message("routes[3].targets[1].format"), "unknown format 99");
  assert.equal(message("routes[3].targets[2].topic"), 'topic name cannot be ".."');
  assert.equal(message("deadLetterTopic"), "topic name may only hold [a-zA-Z0-9._-]");
});

Deno.test("compileRouteMap() reports each later duplicate of a route name", () => {
  const problems = problemsOf({
    version: 1n,
    routes: [
      { name: "same", match: "a", targets: [target] },
      { name: "other", match: "b", targets: [target] },
      { name: "same", match: "c", targets: [target] },
      { name: "same", match: "d", targets: [target] },
    ],
  });
  assert.deepEqual(problems, [
    { path: "routes[2].name", message: 'duplicate route name "same"' },
    { path: "routes[3].name", message: 'duplicate route name "same"' },
  ]);
});

Deno.test("compileRouteMap() reports empty names as empty, not as duplicates", () => {
  const problems = problemsOf({
    version: 1n,
    routes: [{ name: "", match: "a", targets: [target] }, { name: "", match: "b", targets: [target] }],
  });
  assert.deepEqual(problems, [
    { path: "routes[0].name", message: "route name is empty" },
    { path: "routes[1].name", message: "route name is empty" },
  ]);
});

Deno.test("compileRouteMap() rejects each malformed pattern", () => {
  for (const match of ["", "Treasure.*", "a.*.b", ".*", "*.x", "UPPER", "t".repeat(129)]) {
    const problems = problemsOf({ version: 1n, routes: [{ name: "r", match, targets: [target] }] });
    assert.deepEqual(problems.map((p) => p.path), ["routes[0].match"], JSON.stringify(match));
  }
});

Deno.test("compileRouteMap() rejects unknown key strategies and formats, even negative ones", () => {
  for (const bad of [5, 99, -1]) {
    const problems = problemsOf({
      version: 1n,
      routes: [{ name: "r", match: "a", targets: [{ topic: "t", key: bad as KeyStrategy, format: bad as Format }] }],
    });
    assert.deepEqual(problems, [
      { path: "routes[0].targets[0].key", message: `unknown key strategy ${bad}` },
      { path: "routes[0].targets[0].format", message: `unknown format ${bad}` },
    ]);
  }
  const formatOnly = problemsOf({
    version: 1n,
    routes: [{ name: "r", match: "a", targets: [{ topic: "t", key: KeyStrategy.NONE, format: 3 as Format }] }],
  });
  assert.deepEqual(formatOnly, [{ path: "routes[0].targets[0].format", message: "unknown format 3" }]);
});

Deno.test("compileRouteMap() rejects an illegal dead-letter topic", () => {
  for (const deadLetterTopic of [".", "..", "x".repeat(250), "dead/letters"]) {
    const problems = problemsOf({ version: 1n, deadLetterTopic });
    assert.deepEqual(problems.map((p) => p.path), ["deadLetterTopic"], deadLetterTopic);
  }
});

Deno.test("compileRouteMap() rejects version 0 and accepts the largest uint64", () => {
  assert.deepEqual(problemsOf({ version: 0n }), [{ path: "version", message: "version must be at least 1" }]);
  const result = compileRouteMap(routeMap({ version: 2n ** 64n - 1n }));
  assert.ok(result.ok);
  assert.equal(result.table.versionText, "18446744073709551615");
});

Deno.test("compileRouteMap() returns a frozen list of problems", () => {
  const problems = problemsOf({ version: 0n });
  assert.ok(Object.isFrozen(problems));
});

Deno.test("compileRouteMapOrThrow() returns the table of a valid map", () => {
  const table = compileRouteMapOrThrow(defaultRouteMap());
  assert.ok(table instanceof RouteTable);
  assert.equal(table.version, 1n);
});

Deno.test("compileRouteMapOrThrow() throws INVALID_ROUTE_MAP listing every problem", () => {
  const map = routeMap({
    version: 0n,
    routes: [{ name: "r", match: "Bad", targets: [] }],
  });
  let caught: unknown;
  try {
    compileRouteMapOrThrow(map);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof VeltrixError, "expected a VeltrixError");
  assert.equal(caught.code, "INVALID_ROUTE_MAP");
  assert.equal(caught.httpStatus, 422);
  assert.match(caught.message, /^route map is invalid: /);
  for (const path of ["version", "routes[0].match", "routes[0].targets"]) {
    assert.ok(caught.message.includes(`${path}: `), `message should name ${path}: ${caught.message}`);
  }
  const cause = caught.cause as readonly RouteMapProblem[];
  assert.deepEqual(cause.map((p) => p.path), ["version", "routes[0].match", "routes[0].targets"]);
});

Deno.test("compileRouteMap() resolves tenants: 0 is no limit, unlisted tenants are other, a prefix gets its own table", () => {
  const map = create(RouteMapSchema, {
    version: 3n,
    routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }],
    badEventTopic: "game.bad",
    deadLetterTopic: "game.unrouted",
    tenants: [
      { name: "acme", eventsPerSecond: 50, maxConnections: 0, topicPrefix: "acme." },
      { name: "zeta", eventsPerSecond: 0, maxConnections: 4 },
    ],
    otherTenants: { eventsPerSecond: 10 },
  });
  const result = compileRouteMap(map);
  assert.ok(result.ok);
  const tenancy = result.table.tenancy;
  assert.equal(tenancy.quotaOf("acme").eventsPerSecond, 50);
  assert.equal(tenancy.quotaOf("acme").maxConnections, Infinity);
  assert.equal(tenancy.quotaOf("zeta").eventsPerSecond, Infinity);
  assert.equal(tenancy.quotaOf("nobody").name, "other");
  assert.equal(tenancy.quotaOf(undefined).eventsPerSecond, 10);
  assert.deepEqual(tenancy.tableOf("acme")?.resolve("x").targets.map((t) => t.topic), ["acme.game.all"]);
  assert.equal(tenancy.tableOf("zeta"), undefined);
  assert.equal(tenancy.tenantOfTopic("acme.game.bad")?.name, "acme");
  assert.ok(result.table.topics.includes("acme.game.unrouted"), "the tenant's topics are the table's too");
});

Deno.test("compileRouteMap() names every tenant problem", () => {
  const map = create(RouteMapSchema, {
    version: 3n,
    routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }],
    tenants: [{ name: "" }, { name: "other" }, { name: "a", topicPrefix: "bad prefix" }, { name: "a" }],
    otherTenants: { topicPrefix: "x." },
  });
  const result = compileRouteMap(map);
  assert.ok(!result.ok);
  assert.deepEqual(result.problems.map((p) => p.path), [
    "tenants[0].name",
    "tenants[1].name",
    "tenants[2].topicPrefix",
    "tenants[3].name",
    "otherTenants.topicPrefix",
  ]);
});

Deno.test("compileRouteMap() takes at most MAX_TENANTS tenants (INVALID_ROUTE_MAP past it)", () => {
  const mapOf = (count: number) =>
    create(RouteMapSchema, {
      version: 3n,
      routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }],
      tenants: Array.from({ length: count }, (_, i) => ({ name: `t${i}` })),
    });
  assert.ok(compileRouteMap(mapOf(MAX_TENANTS)).ok);
  const result = compileRouteMap(mapOf(MAX_TENANTS + 1));
  assert.ok(!result.ok);
  assert.deepEqual(result.problems.map((p) => p.path), ["tenants"]);
  assert.throws(() => compileRouteMapOrThrow(mapOf(MAX_TENANTS + 1)), (e: unknown) => {
    assert.ok(e instanceof VeltrixError);
    assert.equal(e.code, "INVALID_ROUTE_MAP");
    return true;
  });
});

Deno.test("compileRouteMap() reads the tenant quota scope: unset and EDGE per edge, FLEET for the fleet, others refused", () => {
  const base = { version: 3n, routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }] };
  const scopeOf = (tenantQuotaScope: number) => {
    const result = compileRouteMap(create(RouteMapSchema, { ...base, tenants: [{ name: "a" }], tenantQuotaScope }));
    return result.ok ? [result.table.tenancy.scope, result.table.tenancy.quotaOf("a").scope] : result.problems;
  };
  assert.deepEqual(scopeOf(TenantQuotaScope.UNSPECIFIED), ["edge", "edge"]);
  assert.deepEqual(scopeOf(TenantQuotaScope.EDGE), ["edge", "edge"]);
  assert.deepEqual(scopeOf(TenantQuotaScope.FLEET), ["fleet", "fleet"]);
  assert.deepEqual(scopeOf(9), [{ path: "tenantQuotaScope", message: "unknown tenant quota scope 9" }]);
});

Deno.test("compileRouteMap(map, schemas, previous) reuses the compiled routes the decoder reused, and compiles alike", () => {
  const routes = Array.from({ length: 5 }, (_, i) => ({
    name: `r${i}`,
    match: i === 4 ? "zone.*" : `zone.e${i}`,
    targets: [target],
    onSchemaViolation: i === 1 ? SchemaViolationAction.DEAD_LETTER : SchemaViolationAction.REJECT,
  }));
  const bytesOf = (init: MapInit) => toBinary(RouteMapSchema, routeMap(init));
  const first = decodeRoutableMap(bytesOf({ version: 1n, routes, badEventTopic: "bad" }));
  const table = compileRouteMapOrThrow(first);

  const changed = [...routes];
  changed[3] = { ...routes[3]!, targets: [{ ...target, topic: "other" }] };
  const second = decodeRoutableMap(bytesOf({ version: 2n, routes: changed, badEventTopic: "bad" }), first);
  const reusing = compileRouteMapOrThrow(second, {}, table);
  assert.deepEqual(reusing, compileRouteMapOrThrow(second));
  for (const r of [0, 1, 2, 4]) assert.equal(reusing.routes[r], table.routes[r], `route ${r} is reused`);
  assert.notEqual(reusing.routes[3], table.routes[3]);
  assert.equal(reusing.resolve("zone.e3").targets[0]!.topic, "other");

  // What depends on the rest of the map is checked again: DEAD_LETTER without a bad-event topic.
  const third = decodeRoutableMap(bytesOf({ version: 3n, routes: changed }), second);
  const result = compileRouteMap(third, {}, reusing);
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.ok ? [] : result.problems,
    compileRouteMap(third).ok ? [] : [{
      path: "routes[1].onSchemaViolation",
      message: "DEAD_LETTER needs the map's badEventTopic",
    }],
  );
  // And duplicate names across reused and new routes.
  const fourth = decodeRoutableMap(
    bytesOf({ version: 4n, routes: [...changed, { ...routes[0]!, match: "x" }] }),
    second,
  );
  const duplicate = compileRouteMap(fourth, {}, reusing);
  assert.equal(duplicate.ok, false);
  assert.match(JSON.stringify(duplicate), /duplicate route name \\"r0\\"/);
});
