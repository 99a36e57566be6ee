import assert from "node:assert/strict";
import type { RoutedEvent } from "../../src/consumer/mod.ts";
import type { GroupRecord } from "../../src/kafka/mod.ts";
import { parseRoutePattern, type RoutePattern } from "../../src/core/mod.ts";
import { eventJson, formatEventLine, formatUndecodableLine, matchesFilter } from "./tail_line.ts";

const event: RoutedEvent = {
  id: "e-1",
  type: "treasure.collected",
  data: { chest: "c9", gold: 12 },
  player: "alice",
  receivedAt: new Date("2026-12-01T14:05:06.789Z"),
  edgeId: "edge-a",
  routeVersion: 3n,
  format: "protobuf",
};
const record: GroupRecord = {
  topic: "game.treasure",
  partition: 2,
  offset: "1234",
  timestampMs: 0,
  key: null,
  value: null,
  headers: {},
};
const pattern = (text: string) => parseRoutePattern(text) as RoutePattern;

Deno.test("formatEventLine() prints time, topic, partition/offset, type, player, id, route version, edge and data", () => {
  assert.equal(
    formatEventLine(event, record, { colour: false, width: undefined }),
    '14:05:06.789 game.treasure 2/1234 treasure.collected alice e-1 v3 edge-a {"chest":"c9","gold":12}',
  );
});

Deno.test("formatEventLine() cuts the data to the width, and leaves it out when nothing fits", () => {
  const full = formatEventLine(event, record, { colour: false, width: undefined });
  const cut = formatEventLine(event, record, { colour: false, width: full.length - 5 });
  assert.equal(cut.length, full.length - 5);
  assert.ok(cut.endsWith("…"), cut);
  const narrow = formatEventLine(event, record, { colour: false, width: 20 });
  assert.ok(!narrow.includes("chest"), narrow);
});

Deno.test("formatEventLine() colours the columns only when asked, with the same text", () => {
  const plain = formatEventLine(event, record, { colour: false, width: undefined });
  const painted = formatEventLine(event, record, { colour: true, width: undefined });
  assert.notEqual(painted, plain);
  // deno-lint-ignore no-control-regex
  assert.equal(painted.replace(/\x1b\[\d+m/g, ""), plain);
});

Deno.test("formatUndecodableLine() says where the record is and why it is not a Veltrix record", () => {
  assert.equal(
    formatUndecodableLine(record, 'content-type "text/plain"', { colour: false, width: undefined }),
    'game.treasure 2/1234 not a Veltrix record: content-type "text/plain"',
  );
});

Deno.test("eventJson() gives every column as a JSON field", () => {
  assert.deepEqual(JSON.parse(eventJson(event, record)), {
    time: "2026-12-01T14:05:06.789Z",
    topic: "game.treasure",
    partition: 2,
    offset: "1234",
    type: "treasure.collected",
    player: "alice",
    id: "e-1",
    routeVersion: "3",
    edge: "edge-a",
    format: "protobuf",
    data: { chest: "c9", gold: 12 },
  });
});

Deno.test("matchesFilter() needs every filter that is set to match", () => {
  assert.equal(matchesFilter(event, {}), true);
  assert.equal(matchesFilter(event, { type: pattern("treasure.*") }), true);
  assert.equal(matchesFilter(event, { type: pattern("player.*") }), false);
  assert.equal(matchesFilter(event, { type: pattern("treasure.*"), player: "bob" }), false);
  assert.equal(matchesFilter(event, { player: "alice", id: "e-1" }), true);
  assert.equal(matchesFilter(event, { id: "e-2" }), false);
});
