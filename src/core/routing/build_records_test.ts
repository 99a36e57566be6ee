import assert from "node:assert/strict";
import { create, fromBinary } from "@bufbuild/protobuf";
import { RoutedEventSchema } from "../../gen/veltrix/v1/event_pb.ts";
import { Format, KeyStrategy, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { buildRecords, JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE } from "./build_records.ts";
import {
  CANARY_HEADER,
  CONTENT_TYPE_HEADER,
  EDGE_SPAN_ID_HEADER,
  EVENT_ID_HEADER,
  ROUTE_VERSION_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from "./record_headers.ts";
import type { IncomingEvent } from "../frames/client_frame_codec.ts";
import { compileRouteMapOrThrow } from "../route_map/compile_route_map.ts";
import { defaultRouteMap } from "../route_map/default_route_map.ts";
import type { Resolution, ResolvedTarget } from "../route_map/route_table.ts";
import { encodeRoutedEventBinary, encodeRoutedEventJson, type EventStamp } from "./routed_event_encoding.ts";

const event: IncomingEvent = { id: "e-9", type: "treasure.collected", data: { gold: 5 } };
const stamp: EventStamp = { player: "player-1", receivedAtMs: 1_700_000_000_500, edgeId: "edge-a", routeVersion: "12" };

function resolutionOf(targets: ResolvedTarget[]): Resolution {
  return {
    targets,
    deadLettered: false,
    needsProtobuf: targets.some((t) => t.format === Format.PROTOBUF),
    needsJson: targets.some((t) => t.format === Format.JSON),
  };
}

function expectedHeaders(contentType: string): Record<string, string> {
  return {
    "veltrix-event-id": "e-9",
    "veltrix-route-version": "12",
    "content-type": contentType,
  };
}

Deno.test("buildRecords() makes one record per target, in target order", () => {
  const { records } = buildRecords(
    event,
    resolutionOf([
      { topic: "t-a", key: KeyStrategy.PLAYER, format: Format.PROTOBUF },
      { topic: "t-b", key: KeyStrategy.PLAYER, format: Format.JSON },
      { topic: "t-c", key: KeyStrategy.PLAYER, format: Format.PROTOBUF },
    ]),
    stamp,
  );
  assert.deepEqual(records.map((r) => r.topic), ["t-a", "t-b", "t-c"]);
});

Deno.test("buildRecords() keys each record by its target's key strategy", () => {
  const { records } = buildRecords(
    event,
    resolutionOf([
      { topic: "by-player", key: KeyStrategy.PLAYER, format: Format.PROTOBUF },
      { topic: "by-type", key: KeyStrategy.EVENT_TYPE, format: Format.PROTOBUF },
      { topic: "by-id", key: KeyStrategy.EVENT_ID, format: Format.JSON },
      { topic: "unkeyed", key: KeyStrategy.NONE, format: Format.JSON },
    ]),
    stamp,
  );
  assert.deepEqual(records.map((r) => [r.topic, r.key]), [
    ["by-player", "player-1"],
    ["by-type", "treasure.collected"],
    ["by-id", "e-9"],
    ["unkeyed", null],
  ]);
});

Deno.test("buildRecords() gives a JSON target the JSON text and the JSON content type", () => {
  const { records } = buildRecords(
    event,
    resolutionOf([{ topic: "t", key: KeyStrategy.PLAYER, format: Format.JSON }]),
    stamp,
  );
  const [record] = records;
  assert.ok(record !== undefined);
  assert.equal(typeof record.value, "string");
  assert.equal(record.value, encodeRoutedEventJson(event, stamp));
  assert.deepEqual(JSON.parse(record.value as string).event, {
    id: "e-9",
    type: "treasure.collected",
    data: { gold: 5 },
  });
  assert.deepEqual(record.headers, expectedHeaders(JSON_CONTENT_TYPE));
  assert.equal(JSON_CONTENT_TYPE, "application/json; messageType=veltrix.v1.RoutedEvent");
});

Deno.test("buildRecords() gives a protobuf target the RoutedEvent bytes and the protobuf content type", () => {
  const { records } = buildRecords(
    event,
    resolutionOf([{ topic: "t", key: KeyStrategy.PLAYER, format: Format.PROTOBUF }]),
    stamp,
  );
  const [record] = records;
  assert.ok(record !== undefined);
  assert.ok(record.value instanceof Uint8Array);
  assert.deepEqual(record.value, encodeRoutedEventBinary(event, stamp));
  const decoded = fromBinary(RoutedEventSchema, record.value);
  assert.equal(decoded.event?.id, "e-9");
  assert.equal(decoded.player, "player-1");
  assert.equal(decoded.routeVersion, 12n);
  assert.deepEqual(record.headers, expectedHeaders(PROTOBUF_CONTENT_TYPE));
  assert.equal(PROTOBUF_CONTENT_TYPE, "application/x-protobuf; messageType=veltrix.v1.RoutedEvent");
});

Deno.test("buildRecords() encodes each format once and shares it between the targets that want it", () => {
  const { records } = buildRecords(
    event,
    resolutionOf([
      { topic: "p1", key: KeyStrategy.PLAYER, format: Format.PROTOBUF },
      { topic: "j1", key: KeyStrategy.EVENT_ID, format: Format.JSON },
      { topic: "p2", key: KeyStrategy.NONE, format: Format.PROTOBUF },
      { topic: "j2", key: KeyStrategy.EVENT_TYPE, format: Format.JSON },
    ]),
    stamp,
  );
  const [p1, j1, p2, j2] = records;
  assert.ok(p1 && j1 && p2 && j2);
  assert.ok(p1.value instanceof Uint8Array);
  assert.equal(p2.value, p1.value);
  assert.equal(typeof j1.value, "string");
  assert.equal(j2.value, j1.value);
  assert.deepEqual(p2.headers, expectedHeaders(PROTOBUF_CONTENT_TYPE));
  assert.deepEqual(j2.headers, expectedHeaders(JSON_CONTENT_TYPE));
});

Deno.test("buildRecords() counts at least the bytes of every value and key", () => {
  const { records, bytes } = buildRecords(
    event,
    resolutionOf([
      { topic: "p", key: KeyStrategy.PLAYER, format: Format.PROTOBUF },
      { topic: "j", key: KeyStrategy.NONE, format: Format.JSON },
    ]),
    stamp,
  );
  const payload = records.reduce((sum, r) => sum + r.value.length + (r.key?.length ?? 0), 0);
  assert.ok(payload > 0);
  assert.ok(bytes >= payload, `${bytes} < ${payload}`);
});

Deno.test("buildRecords() makes no records for a resolution with no targets", () => {
  assert.deepEqual(buildRecords(event, resolutionOf([]), stamp), { records: [], bytes: 0, deadLettered: false });
});

Deno.test("buildRecords() writes a dead-lettered event to the dead-letter topic keyed by player as protobuf", () => {
  const table = compileRouteMapOrThrow(defaultRouteMap());
  const lobby = { id: "e-1", type: "lobby.ping", data: undefined };
  const { records } = buildRecords(lobby, table.resolve("lobby.ping"), stamp);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.topic, "veltrix.unrouted");
  assert.equal(records[0]?.key, "player-1");
  assert.ok(records[0]?.value instanceof Uint8Array);
  assert.equal(records[0]?.headers["veltrix-event-id"], "e-1");
  assert.equal(fromBinary(RoutedEventSchema, records[0]!.value as Uint8Array).event?.type, "lobby.ping");
});

Deno.test("buildRecords() follows a compiled table whose defaults were left unspecified", () => {
  const table = compileRouteMapOrThrow(create(RouteMapSchema, {
    version: 12n,
    routes: [{ name: "r", match: "treasure.*", targets: [{ topic: "t" }] }],
  }));
  const { records } = buildRecords(event, table.resolve(event.type), { ...stamp, routeVersion: table.versionText });
  assert.deepEqual(records.map((r) => [r.topic, r.key, r.value instanceof Uint8Array]), [["t", "player-1", true]]);
  assert.equal(records[0]?.headers["veltrix-route-version"], "12");
});

Deno.test("buildRecords() copies the client's trace context to every record's headers with one new edge span id per event", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  let made = 0;
  const traced = { ...stamp, spanIds: () => `00000000000000a${++made}` };
  const targets = resolutionOf([
    { topic: "t-a", key: KeyStrategy.PLAYER, format: Format.PROTOBUF },
    { topic: "t-b", key: KeyStrategy.PLAYER, format: Format.JSON },
  ]);
  const { records } = buildRecords({ ...event, traceparent, tracestate: "rojo=1" }, targets, traced);
  for (
    const [record, contentType] of [[records[0]!, PROTOBUF_CONTENT_TYPE], [records[1]!, JSON_CONTENT_TYPE]] as const
  ) {
    assert.deepEqual(record.headers, {
      ...expectedHeaders(contentType),
      traceparent,
      tracestate: "rojo=1",
      "veltrix-edge-span-id": "00000000000000a1",
    });
  }
  assert.equal(fromBinary(RoutedEventSchema, records[0]!.value as Uint8Array).event?.traceparent, traceparent);
  assert.equal(made, 1, "one span per event, shared by its records");
  buildRecords({ ...event, traceparent }, targets, traced);
  assert.equal(made, 2);
});

Deno.test("buildRecords() adds no trace headers and makes no span for an event without a traceparent", () => {
  let made = 0;
  const { records } = buildRecords(
    event,
    resolutionOf([{ topic: "t-a", key: KeyStrategy.PLAYER, format: Format.PROTOBUF }]),
    { ...stamp, spanIds: () => String(++made) },
  );
  assert.deepEqual(records[0]!.headers, expectedHeaders(PROTOBUF_CONTENT_TYPE));
  assert.equal(made, 0);
});

Deno.test("buildRecords() writes the header names of record_headers.ts", () => {
  const table = compileRouteMapOrThrow(defaultRouteMap());
  const event = {
    id: "e-h",
    type: "treasure.collected",
    data: {},
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    tracestate: "v=1",
  };
  const stamp = {
    player: "p",
    receivedAtMs: 0,
    edgeId: "edge",
    routeVersion: "1",
    canary: true,
    spanIds: () => "00f067aa0ba902b7",
  };
  const { records } = buildRecords(event, table.resolve(event.type), stamp);
  assert.deepEqual(
    Object.keys(records[0]!.headers).sort(),
    [
      CANARY_HEADER,
      CONTENT_TYPE_HEADER,
      EDGE_SPAN_ID_HEADER,
      EVENT_ID_HEADER,
      ROUTE_VERSION_HEADER,
      TRACEPARENT_HEADER,
      TRACESTATE_HEADER,
    ].sort(),
  );
});
