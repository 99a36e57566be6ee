import assert from "node:assert/strict";
import { compileRouteMapOrThrow } from "../route_map/compile_route_map.ts";
import { defaultRouteMap, TREASURE_TOPIC, UNROUTED_TOPIC } from "../route_map/default_route_map.ts";
import { isReject, routeEvent } from "./route_event.ts";

const stamp = { player: "alice", receivedAtMs: 1_700_000_000_000, edgeId: "edge-1", routeVersion: "1" };

function table(deadLetter = true) {
  const map = defaultRouteMap();
  if (!deadLetter) map.deadLetterTopic = "";
  return compileRouteMapOrThrow(map);
}

Deno.test("routeEvent() builds one record per target of the event's type", () => {
  const routed = routeEvent({ id: "e-1", type: "treasure.collected", data: { gold: 5 } }, table(), stamp, 1 << 20);
  assert.ok(!isReject(routed));
  assert.ok(routed.records.some((r) => r.topic === TREASURE_TOPIC));
  assert.equal(routed.deadLettered, false);
  assert.ok(routed.bytes > 0);
});

Deno.test("routeEvent() sends an unmatched type to the dead-letter topic when the map has one", () => {
  const routed = routeEvent({ id: "e-1", type: "lobby.ping", data: undefined }, table(), stamp, 1 << 20);
  assert.ok(!isReject(routed));
  assert.equal(routed.deadLettered, true);
  assert.deepEqual(routed.records.map((r) => r.topic), [UNROUTED_TOPIC]);
});

Deno.test("routeEvent() rejects an unmatched type with NO_ROUTE when the map has no dead-letter topic", () => {
  const routed = routeEvent({ id: "e-1", type: "lobby.ping", data: undefined }, table(false), stamp, 1 << 20);
  assert.ok(isReject(routed));
  assert.equal(routed.code, "NO_ROUTE");
  assert.equal(routed.id, "e-1");
  assert.match(routed.message, /lobby\.ping/);
});

Deno.test("routeEvent() rejects an event larger than the limit as routed with EVENT_TOO_LARGE", () => {
  const event = { id: "big", type: "player.moved", data: "x".repeat(500) };
  const routed = routeEvent(event, table(), stamp, 300);
  assert.ok(isReject(routed));
  assert.equal(routed.code, "EVENT_TOO_LARGE");
  assert.ok(!isReject(routeEvent(event, table(), stamp, 10_000)), "the same event fits a larger limit");
});

Deno.test("routeEvent() rejects an event whose data cannot be encoded with INVALID_EVENT", () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const routed = routeEvent({ id: "e-1", type: "player.moved", data: circular as never }, table(), stamp, 1 << 20);
  assert.ok(isReject(routed));
  assert.equal(routed.code, "INVALID_EVENT");
});
