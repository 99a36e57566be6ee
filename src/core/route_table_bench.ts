/**
 * Route lookup: a type already seen (one map read), a type seen for the first time (exact index,
 * one prefix read per dot, `*` routes), on the embedded map and on a 1,000-route map.
 *
 * `deno bench src/core/route_table_bench.ts`
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { RouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "./compile_route_map.ts";
import { defaultRouteMap } from "./default_route_map.ts";

const small = compileRouteMapOrThrow(defaultRouteMap());
const large = compileRouteMapOrThrow(create(RouteMapSchema, {
  version: 2n,
  deadLetterTopic: "veltrix.unrouted",
  routes: Array.from({ length: 1_000 }, (_, i) => ({
    name: `r${i}`,
    match: i % 2 === 0 ? `zone-${i % 50}.event-${i}` : `zone-${i % 50}.group-${i}.*`,
    targets: [{ topic: `game.topic-${i % 20}` }],
  })),
}));
small.resolve("treasure.collected");
large.resolve("zone-3.group-3.opened");
let fresh = 0;

Deno.bench("resolve a type seen before (embedded map)", { group: "seen", baseline: true }, () => {
  small.resolve("treasure.collected");
});
Deno.bench("resolve a type seen before (1,000 routes)", { group: "seen" }, () => {
  large.resolve("zone-3.group-3.opened");
});
Deno.bench("resolve a new type through prefix patterns (embedded map)", { group: "new" }, () => {
  // Types beyond the memo limit are resolved each time, as a new type would be.
  small.resolve(`player.moved-${fresh++ % 20_000}.x`);
});
Deno.bench("resolve a new type through prefix patterns (1,000 routes)", { group: "new" }, () => {
  large.resolve(`zone-${fresh % 50}.group-${fresh++ % 20_000}.opened`);
});
