/**
 * Route lookup on the embedded map and on 1,000-route maps:
 * - a type seen before (one map read), whether it matched an exact route or a prefix pattern;
 * - a new type (the exact index once, the prefix index once per dot, the `*` routes): one that
 *   matches an exact route, one that matches prefix patterns at one or several levels, one that
 *   matches nothing and goes to the dead-letter topic.
 *
 * The "new type" tables have their memo filled first, so every lookup resolves as a first lookup
 * would; each iteration builds its type string, as a freshly decoded frame would.
 *
 * `deno bench src/core/route_map/route_table_bench.ts`
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "./compile_route_map.ts";
import { defaultRouteMap } from "./default_route_map.ts";
import { RESOLUTION_MEMO_LIMIT, type RouteTable } from "./route_table.ts";

/** 500 exact types and 500 prefix patterns `zone-N.group-I.*`, over 50 zones. */
function mixedMap() {
  return create(RouteMapSchema, {
    version: 2n,
    deadLetterTopic: "veltrix.unrouted",
    routes: Array.from({ length: 1_000 }, (_, i) => ({
      name: `r${i}`,
      match: i % 2 === 0 ? `zone-${i % 50}.event-${i}` : `zone-${i % 50}.group-${i}.*`,
      targets: [{ topic: `game.topic-${i % 20}` }],
    })),
  });
}

/**
 * 1,000 prefix patterns four levels deep: `w-A.*` (10), `w-A.z-B.*` (100), `w-A.z-B.r-C.*` (500)
 * and `w-A.z-B.r-C.c-I.*` (390), so that {@link nestedType} matches one route at each level.
 */
function nestedPrefixMap() {
  const stems: string[] = [];
  for (let a = 0; a < 10; a++) stems.push(`w-${a}`);
  for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) stems.push(`w-${a}.z-${b}`);
  for (let a = 0; a < 10; a++) {
    for (let b = 0; b < 10; b++) for (let c = 0; c < 5; c++) stems.push(`w-${a}.z-${b}.r-${c}`);
  }
  for (let i = 0; stems.length < 1_000; i++) stems.push(nestedType(i).slice(0, -".opened".length));
  return create(RouteMapSchema, {
    version: 2n,
    deadLetterTopic: "veltrix.unrouted",
    routes: stems.map((stem, i) => ({
      name: `r${i}`,
      match: `${stem}.*`,
      targets: [{ topic: `game.level-${stem.split(".").length}` }],
    })),
  });
}

/** A type under four nested prefix patterns of {@link nestedPrefixMap}, for `i` below 390. */
function nestedType(i: number): string {
  return `w-${i % 10}.z-${(i >> 1) % 10}.r-${i % 5}.c-${i}.opened`;
}

/** A table whose memo is full, so that no further type is remembered. */
function withFullMemo(table: RouteTable): RouteTable {
  for (let i = 0; i < RESOLUTION_MEMO_LIMIT; i++) table.resolve(`memo.filler-${i}`);
  return table;
}

const small = compileRouteMapOrThrow(defaultRouteMap());
const mixed = compileRouteMapOrThrow(mixedMap());
const nested = compileRouteMapOrThrow(nestedPrefixMap());
for (const type of ["treasure.collected", "player.moved"]) small.resolve(type);
for (const type of ["zone-2.event-2", "zone-3.group-3.opened"]) mixed.resolve(type);
const seenNested = "w-7.z-3.r-2.c-7.opened"; // nestedType(7), as a flat string like a decoded type
nested.resolve(seenNested);
const smallNew = withFullMemo(compileRouteMapOrThrow(defaultRouteMap()));
const mixedNew = withFullMemo(compileRouteMapOrThrow(mixedMap()));
const nestedNew = withFullMemo(compileRouteMapOrThrow(nestedPrefixMap()));
let n = 0;

// The types below resolve as their bench names say.
const matched = (table: RouteTable, type: string) =>
  table.resolve(type).deadLettered ? 0 : table.resolve(type).targets.length;
if (
  seenNested !== nestedType(7) || matched(nested, seenNested) !== 4 || matched(mixed, "zone-3.group-3.opened") !== 1
) {
  throw new Error("bench maps changed");
}
if (matched(smallNew, "lobby.joined-1") !== 0 || matched(mixedNew, "zone-1.elsewhere.opened") !== 0) {
  throw new Error("bench maps changed");
}

Deno.bench("seen: exact type (embedded map)", { group: "seen", baseline: true }, () => {
  small.resolve("treasure.collected");
});
Deno.bench("seen: prefix pattern (embedded map)", { group: "seen" }, () => {
  small.resolve("player.moved");
});
Deno.bench("seen: exact type (1,000 routes)", { group: "seen" }, () => {
  mixed.resolve("zone-2.event-2");
});
Deno.bench("seen: prefix pattern (1,000 routes)", { group: "seen" }, () => {
  mixed.resolve("zone-3.group-3.opened");
});
Deno.bench("seen: four nested prefix levels (1,000 routes)", { group: "seen" }, () => {
  nested.resolve(seenNested);
});

const collected = "collected";
Deno.bench("new: exact type and prefix pattern (embedded map)", { group: "new", baseline: true }, () => {
  smallNew.resolve("treasure.".concat(collected));
});
Deno.bench("new: prefix pattern, one dot (embedded map)", { group: "new" }, () => {
  smallNew.resolve(`player.moved-${n++ % 1_000}`);
});
Deno.bench("new: no match, dead letter (embedded map)", { group: "new" }, () => {
  smallNew.resolve(`lobby.joined-${n++ % 1_000}`);
});
Deno.bench("new: exact type (1,000 routes)", { group: "new" }, () => {
  const i = (n++ % 500) * 2;
  mixedNew.resolve(`zone-${i % 50}.event-${i}`);
});
Deno.bench("new: prefix pattern, two dots (1,000 routes)", { group: "new" }, () => {
  const i = (n++ % 500) * 2 + 1;
  mixedNew.resolve(`zone-${i % 50}.group-${i}.opened`);
});
Deno.bench("new: no match, two dots (1,000 routes)", { group: "new" }, () => {
  mixedNew.resolve(`zone-${n++ % 50}.elsewhere.opened`);
});
Deno.bench("new: four nested prefix levels (1,000 routes)", { group: "new" }, () => {
  nestedNew.resolve(nestedType(n++ % 390));
});
