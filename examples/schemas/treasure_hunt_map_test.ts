import assert from "node:assert/strict";
import { BAD_EVENT_HEADERS, compileRouteMapOrThrow, isReject, routeEvent } from "../../src/core/mod.ts";
import { parseAuthoredRouteMap } from "../../src/control/mod.ts";
import { TreasureHunter } from "../../tools/demo/treasure_hunter.ts";
import { mixEntry } from "../../bench/treasure_hunt_mix.ts";

const table = compileRouteMapOrThrow(
  parseAuthoredRouteMap(await Deno.readTextFile(new URL("treasure_hunt_map.json", import.meta.url))),
);
const stamp = { player: "p-1", receivedAtMs: 0, edgeId: "edge-1", routeVersion: table.versionText };
const route = (type: string, data: unknown) =>
  routeEvent({ id: "e-1", type, data: data as never }, table, stamp, 1 << 20);

Deno.test("the example schema map compiles, with a schema for every treasure-hunt type but lobby.heartbeat", () => {
  assert.equal(table.schemaRules.length, 5);
  assert.equal(table.resolve("lobby.heartbeat").schemaCheck, undefined);
  assert.ok(table.topics.includes("veltrix.bad-events"));
});

Deno.test("every event of the benchmark's mix and of simulated demo players passes the example schemas", () => {
  for (let n = 0; n < 2_000; n++) {
    const entry = mixEntry(n);
    const routed = route(entry.type, entry.data(n));
    assert.ok(!isReject(routed), `${entry.type}: ${isReject(routed) ? routed.message : ""}`);
    assert.ok(routed.records.every((r) => r.headers[BAD_EVENT_HEADERS.reason] === undefined), entry.type);
  }
  let seed = 7;
  const hunter = new TreasureHunter(() => (seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let n = 0; n < 2_000; n++) {
    const event = hunter.next();
    const routed = route(event.type, event.data);
    assert.ok(!isReject(routed), `${event.type}: ${isReject(routed) ? routed.message : ""}`);
    assert.ok(routed.records.every((r) => r.headers[BAD_EVENT_HEADERS.reason] === undefined), event.type);
  }
});

Deno.test("the example map rejects bad treasure data and dead-letters bad player data", () => {
  const rejected = route("treasure.collected", { chest: 1, gold: -5 });
  assert.ok(isReject(rejected));
  assert.equal(rejected.code, "SCHEMA_VIOLATION");
  const dead = route("player.moved", { x: 1, y: 2, zone: 3, teleport: true });
  assert.ok(!isReject(dead));
  assert.deepEqual(dead.records.map((r) => r.topic), ["veltrix.bad-events"]);
  assert.equal(dead.records[0]!.headers[BAD_EVENT_HEADERS.keyword], "additionalProperties");
});
