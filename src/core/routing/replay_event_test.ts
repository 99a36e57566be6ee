import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { RouteMapSchema, SchemaViolationAction } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "../route_map/compile_route_map.ts";
import { replayDeadLetter } from "./replay_event.ts";

function table(schema: string) {
  return compileRouteMapOrThrow(create(RouteMapSchema, {
    version: 9n,
    badEventTopic: "bad",
    routes: [{
      name: "p",
      match: "player.*",
      targets: [{ topic: "players" }],
      onSchemaViolation: SchemaViolationAction.DEAD_LETTER,
    }],
    schemas: [{ match: "player.moved", jsonSchema: schema }],
  }));
}

const letter = {
  event: {
    id: "e-1",
    type: "player.moved",
    data: { x: "left" },
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  },
  player: "p-1",
  receivedAtMs: 1_700_000_000_000,
  edgeId: "edge-a",
  edgeSpanId: "00f067aa0ba902b7",
  from: "bad/0/41",
};

Deno.test("replayDeadLetter() routes a dead letter the map now accepts, with its id, player, trace and where it came from", () => {
  const outcome = replayDeadLetter(letter, table('{"properties":{"x":{"type":["integer","string"]}}}'));
  assert.ok(outcome.routes);
  const [record] = outcome.records;
  assert.equal(record!.topic, "players");
  assert.equal(record!.key, "p-1");
  assert.equal(record!.headers["veltrix-event-id"], "e-1");
  assert.equal(record!.headers["veltrix-route-version"], "9");
  assert.equal(record!.headers["veltrix-replayed-from"], "bad/0/41");
  assert.equal(record!.headers.traceparent, letter.event.traceparent);
  assert.equal(record!.headers["veltrix-edge-span-id"], "00f067aa0ba902b7");
});

Deno.test("replayDeadLetter() leaves a dead letter the map still refuses, and says why", () => {
  const still = replayDeadLetter(letter, table('{"properties":{"x":{"type":"integer"}}}'));
  assert.deepEqual(still, { routes: false, reason: "SCHEMA_VIOLATION" });
  const unrouted = replayDeadLetter({ ...letter, event: { ...letter.event, type: "chest.opened" } }, table("{}"));
  assert.deepEqual(unrouted, { routes: false, reason: "NO_ROUTE" });
});
