import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import fc from "fast-check";
import { Format, KeyStrategy, type RouteMap, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "./compile_route_map.ts";
import {
  defaultRouteMap,
  LEADERBOARD_TOPIC,
  PLAYER_ACTIVITY_TOPIC,
  TREASURE_TOPIC,
  UNROUTED_TOPIC,
} from "./default_route_map.ts";
import { parseRoutePattern, patternMatches } from "./route_pattern.ts";
import type { Resolution, ResolvedTarget, RouteTable } from "./route_table.ts";

type RouteInit = NonNullable<MessageInitShape<typeof RouteMapSchema>["routes"]>[number];

function tableOf(routes: RouteInit[], deadLetterTopic = ""): RouteTable {
  return compileRouteMapOrThrow(create(RouteMapSchema, { version: 7n, routes, deadLetterTopic }));
}

function target(topic: string, key = KeyStrategy.PLAYER, format = Format.PROTOBUF): ResolvedTarget {
  return { topic, key, format };
}

function topicsOf(resolution: Resolution): string[] {
  return resolution.targets.map((t) => t.topic);
}

Deno.test("RouteTable.resolve() under the default map sends player.moved to the player activity topic", () => {
  const resolution = compileRouteMapOrThrow(defaultRouteMap()).resolve("player.moved");
  assert.deepEqual(resolution, {
    targets: [target(PLAYER_ACTIVITY_TOPIC)],
    deadLettered: false,
    needsProtobuf: true,
    needsJson: false,
  });
  assert.deepEqual(topicsOf(resolution), ["game.player-activity"]);
});

Deno.test("RouteTable.resolve() under the default map sends treasure.collected to treasure and leaderboard", () => {
  const table = compileRouteMapOrThrow(defaultRouteMap());
  assert.deepEqual(topicsOf(table.resolve("treasure.collected")), [TREASURE_TOPIC, LEADERBOARD_TOPIC]);
  assert.deepEqual(topicsOf(table.resolve("treasure.collected")), ["game.treasure", "game.leaderboard"]);
  assert.deepEqual(topicsOf(table.resolve("treasure.opened")), [TREASURE_TOPIC]);
});

Deno.test("RouteTable.resolve() under the default map dead-letters lobby.ping", () => {
  const resolution = compileRouteMapOrThrow(defaultRouteMap()).resolve("lobby.ping");
  assert.deepEqual(resolution, {
    targets: [target(UNROUTED_TOPIC)],
    deadLettered: true,
    needsProtobuf: true,
    needsJson: false,
  });
  assert.equal(UNROUTED_TOPIC, "veltrix.unrouted");
});

Deno.test("RouteTable.resolve() sends an event to the union of the targets of every matching route", () => {
  const table = tableOf([
    { name: "exact", match: "a.b", targets: [target("t-exact")] },
    { name: "prefix", match: "a.*", targets: [target("t-prefix")] },
    { name: "all", match: "*", targets: [target("t-all")] },
    { name: "other", match: "b.*", targets: [target("t-other")] },
  ]);
  assert.deepEqual(topicsOf(table.resolve("a.b")), ["t-exact", "t-prefix", "t-all"]);
  assert.deepEqual(topicsOf(table.resolve("a.c")), ["t-prefix", "t-all"]);
  assert.deepEqual(topicsOf(table.resolve("b.x")), ["t-all", "t-other"]);
  assert.deepEqual(topicsOf(table.resolve("c")), ["t-all"]);
  assert.equal(table.resolve("c").deadLettered, false);
});

Deno.test("RouteTable.resolve() lists targets in map order whatever kind of pattern matched", () => {
  const table = tableOf([
    { name: "all", match: "*", targets: [target("first")] },
    { name: "deep", match: "a.b.*", targets: [target("second")] },
    { name: "exact", match: "a.b.c", targets: [target("third")] },
    { name: "shallow", match: "a.*", targets: [target("fourth")] },
  ]);
  assert.deepEqual(topicsOf(table.resolve("a.b.c")), ["first", "second", "third", "fourth"]);
  assert.deepEqual(topicsOf(table.resolve("a.b.d")), ["first", "second", "fourth"]);
  assert.deepEqual(topicsOf(table.resolve("a.x")), ["first", "fourth"]);
});

Deno.test("RouteTable.resolve() writes each topic at most once, with the key and format of the first route", () => {
  const table = tableOf([
    { name: "one", match: "a.*", targets: [target("shared", KeyStrategy.EVENT_ID, Format.JSON), target("own")] },
    { name: "two", match: "a.b", targets: [target("shared", KeyStrategy.NONE, Format.PROTOBUF)] },
    { name: "three", match: "*", targets: [target("shared", KeyStrategy.EVENT_TYPE), target("own")] },
  ]);
  const resolution = table.resolve("a.b");
  assert.deepEqual(resolution.targets, [target("shared", KeyStrategy.EVENT_ID, Format.JSON), target("own")]);
  assert.equal(resolution.needsJson, true);
  assert.equal(resolution.needsProtobuf, true);
});

Deno.test("RouteTable.resolve() gives one route's duplicate target only once", () => {
  const table = tableOf([{ name: "r", match: "a", targets: [target("t", KeyStrategy.NONE), target("t")] }]);
  assert.deepEqual(table.resolve("a").targets, [target("t", KeyStrategy.NONE)]);
});

Deno.test("RouteTable.resolve() does not match a prefix pattern against its own stem nor a longer word", () => {
  const table = tableOf([{ name: "t", match: "treasure.*", targets: [target("t")] }], "dead");
  assert.equal(table.resolve("treasure.collected").deadLettered, false);
  assert.equal(table.resolve("treasure").deadLettered, true);
  assert.equal(table.resolve("treasurex.y").deadLettered, true);
  assert.equal(table.resolve("x.treasure.y").deadLettered, true);
});

Deno.test("RouteTable.resolve() sends an unmatched event to the dead-letter topic keyed by player as protobuf", () => {
  const table = tableOf([{ name: "r", match: "a", targets: [target("t", KeyStrategy.NONE, Format.JSON)] }], "dead");
  assert.deepEqual(table.resolve("b"), {
    targets: [{ topic: "dead", key: KeyStrategy.PLAYER, format: Format.PROTOBUF }],
    deadLettered: true,
    needsProtobuf: true,
    needsJson: false,
  });
});

Deno.test("RouteTable.resolve() gives no targets to an unmatched event when there is no dead-letter topic", () => {
  const table = tableOf([{ name: "r", match: "a", targets: [target("t")] }]);
  assert.deepEqual(table.resolve("b"), { targets: [], deadLettered: false, needsProtobuf: false, needsJson: false });
});

Deno.test("RouteTable.resolve() does not dead-letter an event that a route matched", () => {
  const table = tableOf([{ name: "r", match: "a", targets: [target("t")] }], "dead");
  assert.deepEqual(topicsOf(table.resolve("a")), ["t"]);
  assert.equal(table.resolve("a").deadLettered, false);
});

Deno.test("RouteTable.resolve() reads UNSPECIFIED key and format as PLAYER and PROTOBUF", () => {
  const table = tableOf([{
    name: "r",
    match: "a",
    targets: [{ topic: "t", key: KeyStrategy.UNSPECIFIED, format: Format.UNSPECIFIED }],
  }]);
  assert.deepEqual(table.resolve("a").targets, [{ topic: "t", key: KeyStrategy.PLAYER, format: Format.PROTOBUF }]);
  assert.equal(table.resolve("a").needsProtobuf, true);
});

Deno.test("RouteTable.resolve() says which encodings the targets need", () => {
  const table = tableOf([
    { name: "json", match: "j", targets: [target("tj", KeyStrategy.PLAYER, Format.JSON)] },
    { name: "proto", match: "p", targets: [target("tp")] },
    { name: "both", match: "b", targets: [target("tj", KeyStrategy.PLAYER, Format.JSON), target("tp")] },
  ]);
  const needs = (type: string) => [table.resolve(type).needsProtobuf, table.resolve(type).needsJson];
  assert.deepEqual(needs("j"), [false, true]);
  assert.deepEqual(needs("p"), [true, false]);
  assert.deepEqual(needs("b"), [true, true]);
  assert.deepEqual(needs("none"), [false, false]);
});

Deno.test("RouteTable.resolve() returns the identical resolution for a type it has resolved before", () => {
  const table = compileRouteMapOrThrow(defaultRouteMap());
  for (const type of ["treasure.collected", "player.moved", "lobby.ping"]) {
    const first = table.resolve(type);
    assert.equal(table.resolve(type), first, type);
  }
  assert.notEqual(table.resolve("treasure.collected"), table.resolve("treasure.opened"));
});

Deno.test("RouteTable.resolve() still answers correctly for types beyond what it remembers", () => {
  const table = tableOf([{ name: "r", match: "a.*", targets: [target("t")] }], "dead");
  for (let i = 0; i < 10_050; i++) table.resolve(`z.${i}`);
  assert.deepEqual(topicsOf(table.resolve("a.late")), ["t"]);
  assert.equal(table.resolve("a.late").deadLettered, false);
  assert.equal(table.resolve("z.late").deadLettered, true);
});

Deno.test("RouteTable is frozen, and so are its routes, patterns, targets and resolutions", () => {
  const table = tableOf([{ name: "r", match: "a.*", targets: [target("t")] }], "dead");
  const route = table.routes[0]!;
  const resolution = table.resolve("a.b");
  const unrouted = table.resolve("b");
  for (
    const value of [
      table,
      table.routes,
      table.topics,
      route,
      route.pattern,
      route.targets,
      route.targets[0],
      resolution,
      resolution.targets,
      resolution.targets[0],
      unrouted,
      unrouted.targets,
    ]
  ) {
    assert.ok(Object.isFrozen(value), JSON.stringify(value, (_, v) => typeof v === "bigint" ? `${v}` : v));
  }
});

Deno.test("RouteTable throws on assignment to it, its routes, resolutions and targets", () => {
  const table = tableOf([{ name: "r", match: "a.*", targets: [target("t")] }], "dead");
  const resolution = table.resolve("a.b");
  const writable = <T>(value: T) => value as { -readonly [K in keyof T]: T[K] };
  assert.throws(() => {
    writable(table).deadLetterTopic = "other";
  }, TypeError);
  assert.throws(() => {
    writable(table.routes[0]!).name = "renamed";
  }, TypeError);
  assert.throws(() => {
    (table.routes as unknown as unknown[]).push({});
  }, TypeError);
  assert.throws(() => {
    writable(resolution).deadLettered = true;
  }, TypeError);
  assert.throws(() => {
    (resolution.targets as unknown as unknown[]).push(target("x"));
  }, TypeError);
  assert.throws(() => {
    writable(resolution.targets[0]!).topic = "elsewhere";
  }, TypeError);
  assert.throws(() => {
    (table.topics as unknown as string[])[0] = "x";
  }, TypeError);
  assert.deepEqual(topicsOf(table.resolve("a.b")), ["t"]);
  assert.equal(table.deadLetterTopic, "dead");
});

Deno.test("RouteTable.topics lists every target topic and the dead-letter topic once each, sorted", () => {
  const table = tableOf([
    { name: "one", match: "a", targets: [target("zeta"), target("alpha")] },
    { name: "two", match: "b", targets: [target("mid"), target("zeta")] },
  ], "dead");
  assert.deepEqual(table.topics, ["alpha", "dead", "mid", "zeta"]);
  assert.deepEqual(tableOf([{ name: "one", match: "a", targets: [target("b"), target("a")] }]).topics, ["a", "b"]);
});

Deno.test("RouteTable carries the version of its map as a bigint and as decimal text", () => {
  const table = tableOf([]);
  assert.equal(table.version, 7n);
  assert.equal(table.versionText, "7");
});

/** The reading of the route map spec, done the slow way: scan every route in order. */
function referenceResolve(map: RouteMap, type: string): Resolution {
  const byTopic = new Map<string, ResolvedTarget>();
  for (const route of map.routes) {
    const pattern = parseRoutePattern(route.match);
    if ("problem" in pattern) throw new Error(pattern.problem);
    if (!patternMatches(pattern, type)) continue;
    for (const t of route.targets) {
      if (byTopic.has(t.topic)) continue;
      byTopic.set(t.topic, {
        topic: t.topic,
        key: t.key === KeyStrategy.UNSPECIFIED ? KeyStrategy.PLAYER : t.key,
        format: t.format === Format.UNSPECIFIED ? Format.PROTOBUF : t.format,
      });
    }
  }
  if (byTopic.size === 0) {
    if (map.deadLetterTopic === "") return { targets: [], deadLettered: false, needsProtobuf: false, needsJson: false };
    return {
      targets: [{ topic: map.deadLetterTopic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF }],
      deadLettered: true,
      needsProtobuf: true,
      needsJson: false,
    };
  }
  const targets = [...byTopic.values()];
  return {
    targets,
    deadLettered: false,
    needsProtobuf: targets.some((t) => t.format === Format.PROTOBUF),
    needsJson: targets.some((t) => t.format === Format.JSON),
  };
}

const word = fc.constantFrom("a", "b", "a.b");
const stem = fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join("."));
const pattern = fc.oneof(stem, stem.map((s) => `${s}.*`), fc.constant("*"));
const arbitraryTarget = fc.record({
  topic: fc.constantFrom("t1", "t2", "t3", "t4"),
  key: fc.constantFrom(
    KeyStrategy.UNSPECIFIED,
    KeyStrategy.PLAYER,
    KeyStrategy.EVENT_TYPE,
    KeyStrategy.EVENT_ID,
    KeyStrategy.NONE,
  ),
  format: fc.constantFrom(Format.UNSPECIFIED, Format.PROTOBUF, Format.JSON),
});
const arbitraryMap = fc.record({
  routes: fc.array(
    fc.record({ match: pattern, targets: fc.array(arbitraryTarget, { minLength: 1, maxLength: 3 }) }),
    { maxLength: 6 },
  ),
  deadLetterTopic: fc.constantFrom("", "dead", "t1"),
}).map(({ routes, deadLetterTopic }) =>
  create(RouteMapSchema, {
    version: 1n,
    deadLetterTopic,
    routes: routes.map((route, i) => ({ name: `r${i}`, ...route })),
  })
);
const eventType = fc.oneof(
  fc.array(fc.constantFrom("a", "b", "a.b", "c"), { minLength: 1, maxLength: 4 }).map((w) => w.join(".")),
  fc.constantFrom("a.", "a..b", ".a", "a.b."),
);

Deno.test("RouteTable.resolve() agrees with scanning every route in map order", () => {
  fc.assert(
    fc.property(arbitraryMap, fc.array(eventType, { minLength: 1, maxLength: 8 }), (map, types) => {
      const table = compileRouteMapOrThrow(map);
      for (const type of types) {
        const resolution = table.resolve(type);
        assert.deepEqual(resolution, referenceResolve(map, type), type);
        assert.equal(table.resolve(type), resolution);
      }
    }),
    { numRuns: 500 },
  );
});
