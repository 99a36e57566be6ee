import assert from "node:assert/strict";
import { FakeRecordSink } from "./testing/fake_record_sink.ts";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import {
  defaultRouteMap,
  LEADERBOARD_TOPIC,
  TREASURE_TOPIC,
  UNROUTED_TOPIC,
} from "../../core/route_map/default_route_map.ts";
import type { RouteTable } from "../../core/route_map/route_table.ts";
import { ClientFrameSchema, RoutedEventSchema, ServerFrameSchema } from "../../gen/veltrix/v1/event_pb.ts";
import { RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { IngestConnection } from "./ingest_connection.ts";
import { createIngestContext, NO_INGEST_METRICS } from "./ingest_context.ts";
import { RecentEventIds } from "../../core/admission/recent_event_ids.ts";
import { RateLimitedLog } from "../../core/ops/rate_limited_log.ts";
import { ProduceBatcher, type ProduceBatcherOptions } from "./produce_batcher.ts";
import { DEFAULT_RETRY_AFTER_MS } from "../../core/admission/admission.ts";
import type { ReplySocket } from "./reply_channel.ts";
import { playerIdentity } from "../http/player_identity.ts";

/** A socket that records what is sent; its readyState can be changed by the test. */
class FakeSocket implements ReplySocket {
  readyState: number = WebSocket.OPEN;
  readonly sent: (string | Uint8Array)[] = [];

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  /** Every reply sent so far, JSON text frames parsed. */
  get jsonReplies(): unknown[] {
    return this.sent.map((data) => {
      assert.equal(typeof data, "string", "expected a JSON text reply");
      return JSON.parse(data as string);
    });
  }
}

/** Lets every callback already due run (settled writes, reply flushes); not a readiness wait. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const PLAYER = "alice";
const EDGE_ID = "edge-test-1";

function tableOfVersion(version: bigint): RouteTable {
  const map = defaultRouteMap();
  map.version = version;
  return compileRouteMapOrThrow(map);
}

function setup(
  { table = tableOfVersion(1n), batcher: overrides = {} }: {
    table?: RouteTable;
    batcher?: Partial<ProduceBatcherOptions>;
  } = {},
) {
  const socket = new FakeSocket();
  const sink = new FakeRecordSink();
  const routes = new LiveRouteTable(embeddedSnapshot(table));
  const batcher = new ProduceBatcher(sink, {
    lingerMs: 60_000,
    batchMaxEvents: 1_000,
    batchMaxBytes: 10_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents: 1_000,
    ...overrides,
  });
  const connection = new IngestConnection(socket, PLAYER, createIngestContext({ routes, batcher, edgeId: EDGE_ID }));
  return { socket, sink, routes, batcher, connection };
}

function jsonFrame(...events: unknown[]): string {
  return JSON.stringify({ events });
}

function binaryFrame(...events: { id: string; type: string }[]): Uint8Array {
  return toBinary(ClientFrameSchema, create(ClientFrameSchema, { events }));
}

Deno.test("IngestConnection answers a JSON frame with a JSON ack once the write resolves", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "e-1", type: "treasure.collected", data: { gold: 5 } }));
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.jsonReplies, [{ acks: ["e-1"] }]);
});

Deno.test("IngestConnection answers a protobuf frame with a protobuf ServerFrame", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(binaryFrame({ id: "b-1", type: "player.moved" }));
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  assert.equal(socket.sent.length, 1);
  const reply = socket.sent[0];
  assert.ok(reply instanceof Uint8Array, "a protobuf frame is answered in binary");
  const frame = fromBinary(ServerFrameSchema, reply);
  assert.deepEqual(frame.acks, ["b-1"]);
  assert.deepEqual(frame.rejects, []);
});

Deno.test("IngestConnection reads a protobuf frame given as an ArrayBuffer", async () => {
  const { socket, sink, batcher, connection } = setup();
  const bytes = binaryFrame({ id: "b-1", type: "player.moved" });
  connection.receive(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  assert.deepEqual(fromBinary(ServerFrameSchema, socket.sent[0] as Uint8Array).acks, ["b-1"]);
});

Deno.test("IngestConnection answers each frame in its own encoding when JSON and protobuf share a batch", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "j-1", type: "player.moved" }));
  connection.receive(binaryFrame({ id: "b-1", type: "player.moved" }));
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  const texts = socket.sent.filter((data) => typeof data === "string");
  const binaries = socket.sent.filter((data) => data instanceof Uint8Array);
  assert.deepEqual(texts.map((t) => JSON.parse(t)), [{ acks: ["j-1"] }]);
  assert.deepEqual(binaries.map((b) => fromBinary(ServerFrameSchema, b).acks), [["b-1"]]);
});

Deno.test("IngestConnection sends no ack before the write resolves, then one frame with every ack of the batch", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "e-1", type: "treasure.collected" }, { id: "e-2", type: "player.moved" }));
  connection.receive(jsonFrame({ id: "e-3", type: "treasure.opened" }));
  const drained = batcher.drain();
  const write = await sink.written(1);
  await turn();
  assert.deepEqual(socket.sent, [], "no ack while Kafka has not acknowledged the write");
  write.resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.jsonReplies, [{ acks: ["e-1", "e-2", "e-3"] }]);
});

Deno.test("IngestConnection keys records by the authenticated player and stamps it, whatever the frame claims", async () => {
  const { sink, batcher, connection } = setup();
  connection.receive(JSON.stringify({
    player: "mallory",
    events: [{ id: "e-1", type: "treasure.collected", player: "mallory", data: { player: "mallory" } }],
  }));
  const drained = batcher.drain();
  const write = await sink.written(1);
  assert.deepEqual(write.records.map((r) => r.topic), [TREASURE_TOPIC, LEADERBOARD_TOPIC]);
  for (const record of write.records) {
    assert.equal(record.key, PLAYER);
    assert.equal(record.headers["veltrix-event-id"], "e-1");
    assert.ok(record.value instanceof Uint8Array);
    const routed = fromBinary(RoutedEventSchema, record.value);
    assert.equal(routed.player, PLAYER);
    assert.equal(routed.edgeId, EDGE_ID);
    assert.equal(routed.event?.id, "e-1");
  }
  write.resolve();
  await drained;
});

Deno.test("IngestConnection dead-letters an unmatched type when the table has a dead-letter topic", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "e-1", type: "lobby.ping" }));
  const drained = batcher.drain();
  const write = await sink.written(1);
  assert.deepEqual(write.records.map((r) => r.topic), [UNROUTED_TOPIC]);
  write.resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.jsonReplies, [{ acks: ["e-1"] }]);
});

Deno.test("IngestConnection rejects with NO_ROUTE an event no route matches when the table has no dead-letter topic", async () => {
  const table = compileRouteMapOrThrow(create(RouteMapSchema, {
    version: 4n,
    routes: [{ name: "treasure", match: "treasure.*", targets: [{ topic: TREASURE_TOPIC }] }],
  }));
  assert.equal(table.deadLetterTopic, undefined);
  const { socket, sink, batcher, connection } = setup({ table });
  connection.receive(jsonFrame({ id: "lost", type: "lobby.ping" }, { id: "kept", type: "treasure.opened" }));
  await turn();
  assert.equal(batcher.pendingEvents, 1, "only the routable event is submitted");
  const replies = socket.jsonReplies as { rejects: { id: string; code: string; message: string }[] }[];
  assert.equal(replies.length, 1, "the reject does not wait for Kafka");
  assert.deepEqual(Object.keys(replies[0]!), ["rejects"]);
  assert.equal(replies[0]!.rejects.length, 1);
  const reject = replies[0]!.rejects[0]!;
  assert.equal(reject.id, "lost");
  assert.equal(reject.code, "NO_ROUTE");
  assert.match(reject.message, /lobby\.ping/);
  assert.equal("retryAfterMs" in reject, false, "NO_ROUTE is not retryable");

  const drained = batcher.drain();
  const write = await sink.written(1);
  assert.deepEqual(write.records.map((r) => r.headers["veltrix-event-id"]), ["kept"]);
  write.resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.jsonReplies[1], { acks: ["kept"] });
});

Deno.test("IngestConnection rejects with OVERLOADED and a retry hint when the batcher is full", async () => {
  const { socket, sink, batcher, connection } = setup({ batcher: { maxPendingEvents: 1 } });
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }, { id: "e-2", type: "player.moved" }));
  await turn();
  assert.deepEqual(socket.jsonReplies, [{
    rejects: [{
      id: "e-2",
      code: "OVERLOADED",
      message: "the edge is holding as many unacknowledged events as it may",
      retryAfterMs: DEFAULT_RETRY_AFTER_MS,
    }],
  }]);
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.jsonReplies[1], { acks: ["e-1"] });
});

Deno.test("IngestConnection rejects with OVERLOADED in protobuf, retry hint included, for a protobuf frame", async () => {
  const { socket, sink, batcher, connection } = setup({ batcher: { maxPendingEvents: 1 } });
  connection.receive(binaryFrame({ id: "e-1", type: "player.moved" }, { id: "e-2", type: "player.moved" }));
  await turn();
  assert.equal(socket.sent.length, 1);
  const frame = fromBinary(ServerFrameSchema, socket.sent[0] as Uint8Array);
  assert.deepEqual(frame.rejects.map((r) => [r.id, r.code, r.retryAfterMs]), [
    ["e-2", "OVERLOADED", DEFAULT_RETRY_AFTER_MS],
  ]);
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
});

Deno.test("IngestConnection rejects an event whose write failed with KAFKA_WRITE_FAILED and a retry hint, and acks nothing", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }, { id: "e-2", type: "treasure.collected" }));
  const drained = batcher.drain();
  (await sink.written(1)).reject(new Error("NOT_ENOUGH_REPLICAS"));
  await drained;
  await turn();
  const replies = socket.jsonReplies as { acks?: string[]; rejects?: Record<string, unknown>[] }[];
  assert.equal(replies.length, 1);
  assert.equal(replies[0]!.acks, undefined);
  assert.deepEqual(replies[0]!.rejects!.map((r) => [r.id, r.code, r.retryAfterMs]), [
    ["e-1", "KAFKA_WRITE_FAILED", DEFAULT_RETRY_AFTER_MS],
    ["e-2", "KAFKA_WRITE_FAILED", DEFAULT_RETRY_AFTER_MS],
  ]);
  assert.match(String(replies[0]!.rejects![0]!.message), /NOT_ENOUGH_REPLICAS/);
});

Deno.test("IngestConnection routes a frame by the table in force when it arrived, even if the table is swapped mid-flight", async () => {
  const { sink, batcher, routes, connection } = setup();
  connection.receive(jsonFrame({ id: "before", type: "treasure.collected" }));
  const drained = batcher.drain();
  const first = await sink.written(1);

  const previous = routes.swap(embeddedSnapshot(tableOfVersion(2n))).table;
  assert.equal(previous.versionText, "1");
  connection.receive(jsonFrame({ id: "after", type: "treasure.collected" }));
  await turn();
  assert.equal(first.records.length, 2);
  for (const record of first.records) {
    assert.equal(record.headers["veltrix-event-id"], "before");
    assert.equal(record.headers["veltrix-route-version"], "1");
    assert.equal(fromBinary(RoutedEventSchema, record.value as Uint8Array).routeVersion, 1n);
  }

  first.resolve();
  const draining = batcher.drain();
  const second = await sink.written(2);
  assert.equal(second.records.length, 2);
  for (const record of second.records) {
    assert.equal(record.headers["veltrix-event-id"], "after");
    assert.equal(record.headers["veltrix-route-version"], "2");
    assert.equal(fromBinary(RoutedEventSchema, record.value as Uint8Array).routeVersion, 2n);
  }
  second.resolve();
  await Promise.all([drained, draining]);
});

Deno.test("IngestConnection keeps the version a frame was routed with when the swap lands before its batch is sent", async () => {
  const { sink, batcher, routes, connection } = setup();
  connection.receive(jsonFrame({ id: "before", type: "player.moved" }));
  routes.swap(embeddedSnapshot(tableOfVersion(2n)));
  connection.receive(jsonFrame({ id: "after", type: "player.moved" }));
  const drained = batcher.drain();
  const write = await sink.written(1);
  assert.deepEqual(write.records.map((r) => [r.headers["veltrix-event-id"], r.headers["veltrix-route-version"]]), [
    ["before", "1"],
    ["after", "2"],
  ]);
  write.resolve();
  await drained;
});

Deno.test("IngestConnection rejects a malformed event with INVALID_EVENT and routes the rest of its frame", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "bad", type: "Not A Type" }, { id: "good", type: "player.moved" }));
  await turn();
  const replies = socket.jsonReplies as { rejects: { id: string; code: string }[] }[];
  assert.deepEqual(replies.map((r) => r.rejects.map((x) => [x.id, x.code])), [[["bad", "INVALID_EVENT"]]]);
  const drained = batcher.drain();
  const write = await sink.written(1);
  assert.deepEqual(write.records.map((r) => r.headers["veltrix-event-id"]), ["good"]);
  write.resolve();
  await drained;
});

Deno.test("IngestConnection answers an unreadable frame with INVALID_FRAME in the frame's encoding", () => {
  const { socket, batcher, connection } = setup();
  connection.receive("{not json");
  connection.receive(new Uint8Array([0xff, 0xff, 0xff]));
  assert.equal(batcher.pendingEvents, 0);
  assert.equal(socket.sent.length, 2);
  const [text, bytes] = socket.sent;
  assert.equal((JSON.parse(text as string) as { error: { code: string } }).error.code, "INVALID_FRAME");
  assert.equal(fromBinary(ServerFrameSchema, bytes as Uint8Array).error?.code, "INVALID_FRAME");
});

Deno.test("IngestConnection sends nothing to a closed socket and does not throw", async () => {
  const table = compileRouteMapOrThrow(create(RouteMapSchema, {
    version: 1n,
    routes: [{ name: "player", match: "player.*", targets: [{ topic: "game.player-activity" }] }],
  }));
  const { socket, sink, batcher, connection } = setup({ table });
  socket.readyState = WebSocket.CLOSED;
  connection.receive("{not json");
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }, { id: "lost", type: "lobby.ping" }));
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.sent, []);
  assert.equal(batcher.pendingEvents, 0);
});

Deno.test("IngestConnection drops the acks of a client that closed while its events were in flight", async () => {
  const { socket, sink, batcher, connection } = setup();
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  const drained = batcher.drain();
  const write = await sink.written(1);
  socket.readyState = WebSocket.CLOSED;
  write.resolve();
  await drained;
  await turn();
  assert.deepEqual(socket.sent, []);
});

Deno.test("IngestConnection survives a socket whose send throws because it closed under it", async () => {
  const { sink, batcher } = setup();
  const routes = new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n)));
  let attempts = 0;
  const socket: ReplySocket = {
    readyState: WebSocket.OPEN,
    send() {
      attempts++;
      throw new DOMException("socket is closed", "InvalidStateError");
    },
  };
  const connection = new IngestConnection(socket, PLAYER, createIngestContext({ routes, batcher, edgeId: EDGE_ID }));
  assert.doesNotThrow(() => connection.receive("{not json"));
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  const drained = batcher.drain();
  (await sink.written(1)).resolve();
  await drained;
  await turn();
  assert.equal(attempts, 2, "both the frame error and the ack were attempted");
});

Deno.test("IngestConnection refuses new events with SHUTTING_DOWN and a retry hint once the edge drains", async () => {
  const sent: (string | Uint8Array)[] = [];
  const socket = { readyState: WebSocket.OPEN, send: (data: string | Uint8Array) => void sent.push(data) };
  const writes: unknown[] = [];
  const batcher = new ProduceBatcher({ write: (records) => (writes.push(records), Promise.resolve()) }, {
    lingerMs: 0,
    maxLingerMs: 0,
    batchMaxEvents: 100,
    batchMaxBytes: 1 << 20,
    maxInFlightBatches: 1,
    maxPendingEvents: 100,
  });
  const draining = { value: true };
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const connection = new IngestConnection(
    socket,
    "p1",
    createIngestContext({ routes, batcher, edgeId: "e", draining }),
  );
  connection.receive(JSON.stringify({ events: [{ id: "late", type: "player.moved" }] }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(writes.length, 0, "nothing is written once draining");
  const reply = JSON.parse(sent[0] as string);
  assert.equal(reply.rejects[0].id, "late");
  assert.equal(reply.rejects[0].code, "SHUTTING_DOWN");
  assert.ok(reply.rejects[0].retryAfterMs > 0);
});

/** A batcher that writes at once (no linger), for tests that settle each write by hand. */
function immediateBatcher(sink: FakeRecordSink): ProduceBatcher {
  return new ProduceBatcher(sink, {
    lingerMs: 0,
    maxLingerMs: 0,
    batchMaxEvents: 1_000,
    batchMaxBytes: 10_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents: 1_000,
  });
}

Deno.test("IngestConnection acks a resent id again from the same player without writing it twice", async () => {
  const socket = new FakeSocket();
  const sink = new FakeRecordSink();
  const batcher = immediateBatcher(sink);
  const recent = new RecentEventIds({ dedupPerPlayer: 16, dedupMaxIds: 100 });
  let duplicates = 0;
  const metrics = { ...NO_INGEST_METRICS, duplicate: () => void duplicates++ };
  const context = createIngestContext({
    routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
    batcher,
    edgeId: EDGE_ID,
    recent,
    metrics,
  });
  const first = new IngestConnection(socket, PLAYER, context);
  first.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  const write = await sink.written(1);

  // Resent on a new connection while the first copy is still in flight: acked when it is.
  const otherSocket = new FakeSocket();
  const second = new IngestConnection(otherSocket, PLAYER, context);
  second.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  await turn();
  assert.equal(otherSocket.sent.length, 0, "no ack before Kafka has the first copy");
  write.resolve();
  await turn();
  assert.deepEqual(socket.jsonReplies, [{ acks: ["e-1"] }]);
  assert.deepEqual(otherSocket.jsonReplies, [{ acks: ["e-1"] }]);

  // Resent after the ack: acked again at once.
  second.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  await turn();
  assert.deepEqual(otherSocket.jsonReplies.at(-1), { acks: ["e-1"] });
  assert.equal(sink.writes.length, 1, "written to Kafka once");
  assert.equal(duplicates, 2);

  // Another player's event with the same id is a different event.
  const bob = new IngestConnection(new FakeSocket(), "bob", context);
  bob.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  await sink.written(2);
});

/** A context that writes to `sink` at once and remembers recent ids (16 per player). */
function dedupingContext(sink: FakeRecordSink) {
  return createIngestContext({
    routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
    batcher: immediateBatcher(sink),
    edgeId: EDGE_ID,
    recent: new RecentEventIds({ dedupPerPlayer: 16, dedupMaxIds: 100 }),
  });
}

Deno.test("IngestConnection keeps the same sub of two issuers apart: the same event id is written for each", async () => {
  const sink = new FakeRecordSink();
  const context = dedupingContext(sink);
  const fromA = new FakeSocket();
  const fromB = new FakeSocket();
  const a = new IngestConnection(fromA, "42", context, { identity: playerIdentity("42", "https://id.a.test") });
  const b = new IngestConnection(fromB, "42", context, { identity: playerIdentity("42", "https://id.b.test") });
  a.receive(jsonFrame({ id: "e-1", type: "player.moved", data: { from: "a" } }));
  (await sink.written(1)).resolve();
  b.receive(jsonFrame({ id: "e-1", type: "player.moved", data: { from: "b" } }));
  (await sink.written(2)).resolve();
  await turn();
  assert.deepEqual(fromA.jsonReplies, [{ acks: ["e-1"] }]);
  assert.deepEqual(fromB.jsonReplies, [{ acks: ["e-1"] }]);
  const written = sink.writes.map((write) => fromBinary(RoutedEventSchema, write.records[0]!.value as Uint8Array));
  assert.deepEqual(written.map((event) => event.player), ["42", "42"], "records carry the bare sub");
  assert.deepEqual(sink.writes.map((write) => write.records[0]!.key), ["42", "42"], "and keep its partition key");
  // Each issuer's player still has their own resends answered without a write.
  b.receive(jsonFrame({ id: "e-1", type: "player.moved", data: { from: "b" } }));
  await turn();
  assert.deepEqual(fromB.jsonReplies.at(-1), { acks: ["e-1"] });
  assert.equal(sink.writes.length, 2);
});

Deno.test("IngestConnection writes a resend again when the first copy failed", async () => {
  const socket = new FakeSocket();
  const sink = new FakeRecordSink();
  const batcher = immediateBatcher(sink);
  const recent = new RecentEventIds({ dedupPerPlayer: 16, dedupMaxIds: 100 });
  const connection = new IngestConnection(
    socket,
    PLAYER,
    createIngestContext({
      routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
      batcher,
      edgeId: EDGE_ID,
      recent,
    }),
  );
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  (await sink.written(1)).reject(new Error("broker gone"));
  await turn();
  assert.equal((socket.jsonReplies[0] as { rejects: { code: string }[] }).rejects[0]?.code, "KAFKA_WRITE_FAILED");
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }));
  (await sink.written(2)).resolve();
  await turn();
  assert.deepEqual(socket.jsonReplies.at(-1), { acks: ["e-1"] });
});

Deno.test("IngestConnection answers OVERLOADED once the connection holds maxInFlightPerConnection events", async () => {
  const socket = new FakeSocket();
  const sink = new FakeRecordSink();
  const batcher = immediateBatcher(sink);
  const connection = new IngestConnection(
    socket,
    PLAYER,
    createIngestContext({
      routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
      batcher,
      edgeId: EDGE_ID,
      limits: { maxInFlightPerConnection: 2 },
    }),
  );
  connection.receive(jsonFrame(...["a", "b", "c"].map((id) => ({ id, type: "player.moved" }))));
  await turn();
  const reply = socket.jsonReplies[0] as { rejects: { id: string; code: string; retryAfterMs: number }[] };
  assert.deepEqual(reply.rejects.map((r) => [r.id, r.code]), [["c", "OVERLOADED"]]);
  assert.ok(reply.rejects[0]!.retryAfterMs > 0);
  assert.equal(connection.inFlight, 2);
  (await sink.written(1)).resolve();
  await turn();
  assert.equal(connection.inFlight, 0);
  connection.receive(jsonFrame({ id: "c", type: "player.moved" }));
  await sink.written(2);
});

Deno.test("IngestConnection answers RATE_LIMITED with a retry hint past its rate, and closes with 1008 when abuse goes on", async () => {
  const closes: number[] = [];
  const socket = Object.assign(new FakeSocket(), { close: (code?: number) => void closes.push(code ?? 0) });
  const batcher = immediateBatcher(new FakeRecordSink());
  const connection = new IngestConnection(
    socket,
    PLAYER,
    createIngestContext({
      routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
      batcher,
      edgeId: EDGE_ID,
      limits: {
        maxFrameBytes: 1 << 20,
        frame: { maxEventsPerFrame: 1_000, maxDataDepth: 32 },
        maxEventBytes: 1 << 20,
        ratePerConnection: 5,
        rateAbuseLimit: 20,
      },
    }),
  );
  connection.receive(jsonFrame(...Array.from({ length: 12 }, (_, i) => ({ id: `e-${i}`, type: "player.moved" }))));
  await turn();
  const rejects = (socket.jsonReplies[0] as { rejects: { id: string; code: string; retryAfterMs: number }[] }).rejects;
  assert.equal(rejects.length, 2, "a burst of twice the rate (10) is taken, the rest is limited");
  assert.ok(rejects.every((r) => r.code === "RATE_LIMITED" && r.retryAfterMs > 0));
  assert.deepEqual(closes, []);
  connection.receive(jsonFrame(...Array.from({ length: 30 }, (_, i) => ({ id: `f-${i}`, type: "player.moved" }))));
  assert.deepEqual(closes, [1008], "past the abuse limit the connection is closed with 1008");
});

Deno.test("IngestConnection closes with 1009 on a frame over the size limit and refuses an event over the event limit", async () => {
  const closes: number[] = [];
  const socket = Object.assign(new FakeSocket(), { close: (code?: number) => void closes.push(code ?? 0) });
  const connection = new IngestConnection(
    socket,
    PLAYER,
    createIngestContext({
      routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
      batcher: immediateBatcher(new FakeRecordSink()),
      edgeId: EDGE_ID,
      limits: {
        maxFrameBytes: 2_000,
        frame: { maxEventsPerFrame: 1_000, maxDataDepth: 32 },
        maxEventBytes: 300,
        ratePerConnection: 1_000,
        rateAbuseLimit: 1_000,
      },
    }),
  );
  connection.receive(
    jsonFrame({ id: "big", type: "player.moved", data: "x".repeat(500) }, { id: "ok", type: "player.moved" }),
  );
  await turn();
  const reply = socket.jsonReplies[0] as { rejects: { id: string; code: string }[] };
  assert.deepEqual(reply.rejects.map((r) => [r.id, r.code]), [["big", "EVENT_TOO_LARGE"]]);
  connection.receive(jsonFrame({ id: "huge", type: "player.moved", data: "x".repeat(3_000) }));
  assert.deepEqual(closes, [1009]);
  assert.equal((socket.jsonReplies.at(-1) as { error: { code: string } }).error.code, "FRAME_TOO_LARGE");
});

/** A RateLimitedLog over a logger that records its lines, on a clock the test moves. */
function recordingLog(limit: number) {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    lines.push({ level, msg, fields: fields ?? {} });
  const clock = { ms: 0 };
  const logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { lines, clock, log: new RateLimitedLog(logger, { limit, windowMs: 10_000, now: () => clock.ms }) };
}

Deno.test("IngestConnection logs a flood of rejects as a bounded number of lines per code, and counts the rest", async () => {
  const { lines, clock, log } = recordingLog(3);
  const socket = new FakeSocket();
  const connection = new IngestConnection(
    socket,
    PLAYER,
    createIngestContext({
      routes: new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n))),
      batcher: immediateBatcher(new FakeRecordSink()),
      edgeId: EDGE_ID,
      log,
    }),
  );
  for (let i = 0; i < 500; i++) connection.receive(jsonFrame({ id: `bad-${i}`, type: "Not A Type" }));
  for (let i = 0; i < 200; i++) connection.receive("{not json");
  await turn();
  assert.equal(connection.rejected, 500, "every reject is counted on the connection");
  assert.equal(connection.frames, 700);

  const rejected = lines.filter((l) => l.msg === "event rejected");
  assert.equal(rejected.length, 3, "three lines for INVALID_EVENT in the window");
  assert.deepEqual(rejected[0]!.fields, {
    code: "INVALID_EVENT",
    connection: connection.id,
    player: PLAYER,
    rejectedOnConnection: 1,
  });
  const frames = lines.filter((l) => l.msg === "frame rejected");
  assert.equal(frames.length, 3, "three lines for INVALID_FRAME in the window");
  assert.equal(frames[0]!.fields.code, "INVALID_FRAME");
  assert.equal(typeof frames[0]!.fields.reason, "string");
  assert.ok(lines.every((l) => l.level === "warn"));

  // The next window: the first line of each code says how many were held back.
  clock.ms += 10_000;
  connection.receive(jsonFrame({ id: "late", type: "Not A Type" }));
  connection.receive("{not json");
  await turn();
  assert.equal(lines.filter((l) => l.msg === "event rejected").at(-1)!.fields.suppressed, 497);
  assert.equal(lines.filter((l) => l.msg === "frame rejected").at(-1)!.fields.suppressed, 197);
  assert.equal(lines.length, 8);
});

Deno.test("IngestConnection counts the acks it sends, resent duplicates included, and the encodings it was sent", async () => {
  const sink = new FakeRecordSink();
  const context = dedupingContext(sink);
  const connection = new IngestConnection(new FakeSocket(), PLAYER, context);
  assert.equal(connection.protocol, "none");
  connection.receive(jsonFrame({ id: "e-1", type: "player.moved" }, { id: "e-2", type: "Bad" }));
  assert.equal(connection.protocol, "json");
  (await sink.written(1)).resolve();
  await turn();
  connection.receive(binaryFrame({ id: "e-1", type: "player.moved" }));
  await turn();
  assert.equal(connection.protocol, "mixed");
  assert.deepEqual([connection.acked, connection.rejected, connection.frames], [2, 1, 2]);
});

/** A socket that records what is sent and how it was closed. */
class ClosableSocket extends FakeSocket {
  closedWith: { code?: number; reason?: string } | undefined;
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = WebSocket.CLOSED;
  }
}

/** A connection of PLAYER (of `identity`, bare by default) whose refresh tokens verify as `sessions`. */
function refreshSetup(
  sessions: { player: string; identity?: string; expiresAt: number } | Error,
  identity: string = PLAYER,
) {
  const socket = new ClosableSocket();
  const sink = new FakeRecordSink();
  const routes = new LiveRouteTable(embeddedSnapshot(tableOfVersion(1n)));
  const batcher = new ProduceBatcher(sink, {
    lingerMs: 0,
    maxLingerMs: 0,
    batchMaxEvents: 100,
    batchMaxBytes: 1 << 20,
    maxInFlightBatches: 1,
    maxPendingEvents: 100,
  });
  const verified: string[] = [];
  const verify = Promise.withResolvers<void>();
  const context = createIngestContext({
    routes,
    batcher,
    edgeId: EDGE_ID,
    sessions: {
      clockSkewS: 30,
      async verifySession(token: string) {
        verified.push(token);
        await verify.promise;
        if (sessions instanceof Error) throw sessions;
        return { identity: sessions.player, ...sessions };
      },
    },
  });
  const deadlines: number[] = [];
  const connection = new IngestConnection(socket, PLAYER, context, {
    identity,
    onRefreshed: (at) => deadlines.push(at),
  });
  return { socket, sink, connection, verified, verify, deadlines };
}

Deno.test("IngestConnection takes a refresh for its player: new deadline, a session reply, then the frame's events", async () => {
  const { socket, sink, connection, verified, verify, deadlines } = refreshSetup({ player: PLAYER, expiresAt: 2_000 });
  connection.receive(JSON.stringify({ token: "fresh", events: [{ id: "with-token", type: "player.moved" }] }));
  connection.receive(jsonFrame({ id: "after", type: "player.moved" }));
  await turn();
  assert.deepEqual(verified, ["fresh"]);
  assert.equal(sink.writes.length, 0, "events wait for the token to be checked");
  verify.resolve();
  await turn();
  assert.deepEqual(deadlines, [(2_000 + 30) * 1000]);
  assert.deepEqual(socket.jsonReplies[0], { session: { expiresAt: 2_000 } });
  await turn();
  const written = sink.writes.flatMap((write) => write.records.map((record) => record.headers["veltrix-event-id"]));
  assert.deepEqual([...new Set(written)], ["with-token", "after"], "in order, the held frame after the refresh");
  assert.equal(socket.closedWith, undefined);
});

Deno.test("IngestConnection refuses a refresh naming another player: UNAUTHORIZED, closed with 4003", async () => {
  const { socket, sink, connection, verify, deadlines } = refreshSetup({ player: "mallory", expiresAt: 2_000 });
  connection.receive(JSON.stringify({ token: "other", events: [{ id: "e", type: "player.moved" }] }));
  verify.resolve();
  await turn();
  assert.equal((socket.jsonReplies[0] as { error: { code: string } }).error.code, "UNAUTHORIZED");
  assert.deepEqual(socket.closedWith, { code: 4003, reason: "UNAUTHORIZED" });
  assert.deepEqual(deadlines, []);
  assert.equal(sink.writes.length, 0, "nothing of the frame is written");
});

Deno.test("IngestConnection refuses a refresh for its sub from another issuer: UNAUTHORIZED, closed with 4003", async () => {
  const issuerA = playerIdentity(PLAYER, "https://id.a.test");
  for (
    const [opened, refresh] of [
      [issuerA, playerIdentity(PLAYER, "https://id.b.test")], // another trusted issuer
      [issuerA, playerIdentity(PLAYER)], // the static keys
      [playerIdentity(PLAYER), issuerA], // a trusted issuer, for a connection of the static keys
    ]
  ) {
    const { socket, sink, connection, verify, deadlines } = refreshSetup(
      { player: PLAYER, identity: refresh!, expiresAt: 2_000 },
      opened,
    );
    connection.receive(JSON.stringify({ token: "other-issuer", events: [{ id: "e", type: "player.moved" }] }));
    verify.resolve();
    await turn();
    const { error } = socket.jsonReplies[0] as { error: { code: string; message: string } };
    assert.equal(error.code, "UNAUTHORIZED");
    assert.match(error.message, /another issuer than the connection's token/);
    assert.deepEqual(socket.closedWith, { code: 4003, reason: "UNAUTHORIZED" });
    assert.deepEqual(deadlines, []);
    assert.equal(sink.writes.length, 0, "nothing of the frame is written");
  }
});

Deno.test("IngestConnection takes a refresh from the issuer it opened with", async () => {
  const identity = playerIdentity(PLAYER, "https://id.a.test");
  const { socket, connection, verify, deadlines } = refreshSetup(
    { player: PLAYER, identity, expiresAt: 2_000 },
    identity,
  );
  connection.receive(JSON.stringify({ token: "same-issuer" }));
  verify.resolve();
  await turn();
  assert.deepEqual(socket.jsonReplies, [{ session: { expiresAt: 2_000 } }]);
  assert.deepEqual(deadlines, [(2_000 + 30) * 1000]);
  assert.equal(socket.closedWith, undefined);
});

Deno.test("IngestConnection refuses a refresh that does not verify: UNAUTHORIZED, closed with 4003", async () => {
  const { socket, connection, verify } = refreshSetup(new Error("token signature does not verify"));
  connection.receive(toBinary(ClientFrameSchema, create(ClientFrameSchema, { token: "forged" })));
  verify.resolve();
  await turn();
  const reply = fromBinary(ServerFrameSchema, socket.sent[0] as Uint8Array);
  assert.equal(reply.error?.code, "UNAUTHORIZED");
  assert.deepEqual(socket.closedWith, { code: 4003, reason: "UNAUTHORIZED" });
});

Deno.test("IngestConnection routes a player of a canary's cohort by the canary map, with the canary header and counts", async () => {
  const stable = tableOfVersion(1n);
  const canaryTable = compileRouteMapOrThrow(create(RouteMapSchema, {
    version: 2n,
    routes: [{ name: "loot", match: "treasure.*", targets: [{ topic: "game.canary" }] }],
  }));
  const socket = new FakeSocket();
  const sink = new FakeRecordSink();
  const routes = new LiveRouteTable(embeddedSnapshot(stable));
  routes.swap({
    ...routes.snapshot,
    canary: {
      table: canaryTable,
      applied: { ...embeddedSnapshot(canaryTable).applied, cohort: "cohort=beta" },
      signed: new Uint8Array(),
      cohort: { kind: "claim", claim: "cohort", value: "beta" },
    },
  });
  const batcher = new ProduceBatcher(sink, {
    lingerMs: 60_000,
    batchMaxEvents: 1_000,
    batchMaxBytes: 10_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents: 1_000,
  });
  const context = createIngestContext({ routes, batcher, edgeId: EDGE_ID });
  const beta = new IngestConnection(socket, "bob", context, { claims: { sub: "bob", cohort: "beta" } });
  const other = new IngestConnection(new FakeSocket(), "carol", context, { claims: { sub: "carol" } });
  beta.receive(
    jsonFrame({ id: "c-1", type: "treasure.collected", data: { gold: 1 } }, { id: "c-2", type: "player.moved" }),
  );
  other.receive(jsonFrame({ id: "s-1", type: "treasure.collected", data: { gold: 1 } }));
  const drained = batcher.drain();
  const write = await sink.written(1);
  write.resolve();
  await drained;
  const [canaryRecord, stableRecord] = write.records;
  assert.equal(canaryRecord?.topic, "game.canary");
  assert.equal(canaryRecord?.headers["veltrix-canary"], "true");
  assert.equal(canaryRecord?.headers["veltrix-route-version"], "2");
  assert.equal(stableRecord?.topic, TREASURE_TOPIC);
  assert.equal(stableRecord?.headers["veltrix-canary"], undefined);
  assert.deepEqual(canaryTable.counts, { routed: 1, rejected: 1, deadLettered: 0 });
  assert.deepEqual(stable.counts, { routed: 1, rejected: 0, deadLettered: 0 });
});
