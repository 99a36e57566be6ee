import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Format, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "../route_map/compile_route_map.ts";
import { defaultRouteMap } from "../route_map/default_route_map.ts";
import { dryRun } from "./dry_run.ts";
import { TrafficSketch } from "./traffic_sketch.ts";

const MINUTE = 60_000;

Deno.test("TrafficSketch counts types over a sliding window and forgets what fell out of it", () => {
  const sketch = new TrafficSketch({ windowMs: MINUTE, buckets: 6 }, 0);
  for (let i = 0; i < 30; i++) sketch.record("player.moved", { x: i }, 1_000 + i);
  for (let i = 0; i < 10; i++) sketch.record("treasure.opened", null, 20_000);
  const early = sketch.snapshot(30_000);
  assert.deepEqual(early.types.map((t) => [t.type, t.count]), [["player.moved", 30], ["treasure.opened", 10]]);
  assert.equal(early.total, 40);
  assert.equal(early.coveredMs, 30_000);
  assert.equal(early.sampling, false);
  assert.deepEqual(early.types[0]!.samples, [], "no payload is kept unless sampling is on");
  const later = sketch.snapshot(75_000);
  assert.deepEqual(later.types.map((t) => [t.type, t.count]), [["treasure.opened", 10]]);
  assert.equal(later.coveredMs, MINUTE);
});

Deno.test("TrafficSketch counts types beyond maxTypes as other, and keeps at most samplesPerType payloads per type", () => {
  const sketch = new TrafficSketch({ maxTypes: 3, samplesPerType: 4 }, 0);
  for (let t = 0; t < 5; t++) for (let i = 0; i <= t; i++) sketch.record(`t${t}.e`, { i }, 100);
  const snapshot = sketch.snapshot(200);
  assert.deepEqual(snapshot.types.map((t) => [t.type, t.count]), [["t2.e", 3], ["t1.e", 2], ["t0.e", 1]]);
  assert.equal(snapshot.other, 9, "t3 and t4 arrived after three types were counted");
  assert.equal(snapshot.total, 15);
  for (let i = 0; i < 100; i++) sketch.record("t2.e", { i }, 150);
  assert.equal(sketch.snapshot(200).types[0]!.samples.length, 4);
});

Deno.test("dryRun() weighs each change by the traffic that would see it: topics, dead letter, NO_ROUTE, schema failures", () => {
  const sketch = new TrafficSketch({ windowMs: MINUTE, buckets: 6, samplesPerType: 20 }, 0);
  for (let i = 0; i < 60; i++) sketch.record("player.moved", { x: i, y: 1 }, 10_000);
  for (let i = 0; i < 20; i++) sketch.record("treasure.collected", { gold: i < 5 ? -1 : 10 }, 10_000);
  for (let i = 0; i < 15; i++) sketch.record("treasure.opened", { chest: 1 }, 10_000);
  for (let i = 0; i < 5; i++) sketch.record("lobby.ping", null, 10_000);
  const current = compileRouteMapOrThrow(defaultRouteMap());
  const candidate = compileRouteMapOrThrow(create(RouteMapSchema, {
    version: 2n,
    routes: [
      { name: "players", match: "player.*", targets: [{ topic: "game.players-v2", format: Format.JSON }] },
      { name: "treasure", match: "treasure.collected", targets: [{ topic: "game.treasure" }] },
      { name: "loot", match: "treasure.collected", targets: [{ topic: "game.leaderboard" }] },
    ],
    schemas: [{ match: "treasure.collected", jsonSchema: '{"properties":{"gold":{"minimum":0}}}' }],
    badEventTopic: "veltrix.bad",
  }));
  const report = dryRun(current, candidate, sketch.snapshot(30_000));
  assert.deepEqual(report.window, { coveredMs: 30_000, events: 100, perMinute: 200 });
  assert.deepEqual(report.changes.map((c) => [c.type, c.events, c.perMinute, c.share]), [[
    "player.moved",
    60,
    120,
    0.6,
  ]]);
  assert.deepEqual(report.changes[0]!.after, ["game.players-v2 (PLAYER, JSON)"]);
  assert.deepEqual(
    report.newlyNoRoute.map((c) => [c.type, c.events, c.share]),
    [
      ["treasure.opened", 15, 0.15],
      ["lobby.ping", 5, 0.05],
    ],
  );
  assert.deepEqual(report.newlyDeadLettered, []);
  const withoutPlayers = defaultRouteMap();
  withoutPlayers.version = 3n;
  withoutPlayers.routes = withoutPlayers.routes.filter((r) => r.name !== "player-activity");
  const dead = dryRun(current, compileRouteMapOrThrow(withoutPlayers), sketch.snapshot(30_000));
  assert.deepEqual(dead.newlyDeadLettered.map((c) => [c.type, c.perMinute, c.share]), [["player.moved", 120, 0.6]]);
  assert.deepEqual([dead.changes, dead.newlyNoRoute, dead.schemas], [[], [], []]);
  assert.equal(report.schemas.length, 1);
  const schema = report.schemas[0]!;
  assert.deepEqual(
    [schema.type, schema.sampled, schema.failShare, schema.action, schema.example],
    ["treasure.collected", 20, 0.25, "reject", { pointer: "/gold", keyword: "minimum" }],
  );
});
