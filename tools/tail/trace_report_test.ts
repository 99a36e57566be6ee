import assert from "node:assert/strict";
import { compileRouteMapOrThrow, defaultRouteMap } from "../../src/core/mod.ts";
import type { RoutedEvent } from "../../src/consumer/mod.ts";
import type { GroupRecord } from "../../src/kafka/mod.ts";
import { type TracedRecord, traceReport } from "./trace_report.ts";

const event: RoutedEvent = {
  id: "e-1",
  type: "treasure.collected",
  data: undefined,
  player: "alice",
  receivedAt: new Date("2026-12-01T14:00:00.000Z"),
  edgeId: "edge-a",
  routeVersion: 1n,
  format: "protobuf",
};
const at = (topic: string, partition: number, offset: string): TracedRecord => ({
  record: { topic, partition, offset, timestampMs: 0, key: null, value: null, headers: {} } as GroupRecord,
  event,
});
const defaultMap = { version: 1n, source: "embedded default", table: compileRouteMapOrThrow(defaultRouteMap()) };

Deno.test("traceReport() lists every place the event is, and says the map in force still sends it there", () => {
  assert.deepEqual(
    traceReport("e-1", "1h ago", [at("game.leaderboard", 2, "40"), at("game.treasure", 2, "90")], defaultMap),
    [
      "event e-1 (treasure.collected): 2 record(s) since 1h ago",
      "  game.leaderboard 2/40  player alice, edge edge-a, route v1, at 2026-12-01T14:00:00.000Z  still sent here by v1: yes",
      "  game.treasure 2/90  player alice, edge edge-a, route v1, at 2026-12-01T14:00:00.000Z  still sent here by v1: yes",
      "map in force: v1 (embedded default) sends treasure.collected to: game.treasure, game.leaderboard",
    ],
  );
});

Deno.test("traceReport() says no for a topic the map in force no longer names, and where it would go instead", () => {
  const table = compileRouteMapOrThrow({
    version: 2n,
    deadLetterTopic: "",
    routes: [{ name: "t", match: "treasure.*", targets: [{ topic: "game.treasure-v2", key: 1, format: 1 }] }],
  });
  const lines = traceReport("e-1", "1h ago", [at("game.leaderboard", 0, "7")], { version: 2n, source: "x", table });
  assert.match(lines[1]!, /game\.leaderboard 0\/7 .* still sent here by v2: no$/);
  assert.equal(lines[2], "map in force: v2 (x) sends treasure.collected to: game.treasure-v2");
  assert.match(lines[3]!, /not found in: game\.treasure-v2/);
});

Deno.test("traceReport() says plainly when the event is nowhere", () => {
  assert.deepEqual(traceReport("e-9", "10m ago", [], defaultMap), [
    "event e-9: not found in any searched topic since 10m ago",
  ]);
});
