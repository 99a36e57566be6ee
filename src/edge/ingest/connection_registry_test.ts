/**
 * The registry's per-player state (connection count, rate bucket) is keyed by the player's identity:
 * the same `sub` from two trusted issuers is two players, each with their own cap and bucket.
 */
import assert from "node:assert/strict";
import { FakeRecordSink } from "./testing/fake_record_sink.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import { createIngestContext } from "./ingest_context.ts";
import { ConnectionRegistry } from "./connection_registry.ts";
import { ProduceBatcher } from "./produce_batcher.ts";
import { playerIdentity } from "../http/player_identity.ts";
import { type RecordedReply, recordingSocket as socket } from "./testing/recording_socket.ts";

/** Lets every callback already due run (settled writes, reply flushes); not a readiness wait. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function frame(...ids: string[]): string {
  return JSON.stringify({ events: ids.map((id) => ({ id, type: "player.moved" })) });
}

const A = playerIdentity("42", "https://id.a.test");
const B = playerIdentity("42", "https://id.b.test");

function edge(limits: { maxConnectionsPerPlayer: number; ratePerPlayer: number }) {
  const sink = new FakeRecordSink();
  const batcher = new ProduceBatcher(sink, {
    lingerMs: 0,
    maxLingerMs: 0,
    batchMaxEvents: 1_000,
    batchMaxBytes: 10_000_000,
    maxInFlightBatches: 10,
    maxPendingEvents: 1_000,
  });
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const registry = new ConnectionRegistry(createIngestContext({ routes, batcher, edgeId: "e" }), {
    maxConnections: 10,
    ...limits,
  });
  return { registry, sink };
}

Deno.test("ConnectionRegistry counts the same sub of two issuers, and of the static keys, apart against the per-player cap", () => {
  const { registry } = edge({ maxConnectionsPerPlayer: 1, ratePerPlayer: Infinity });
  const a = socket();
  registry.open(a, "42", Date.now(), Infinity, undefined, undefined, A);
  assert.equal(registry.refusal(A)?.code, "TOO_MANY_PLAYER_CONNECTIONS");
  assert.equal(registry.refusal(B), undefined, "issuer B's 42 is another player");
  assert.equal(registry.refusal("42"), undefined, "the static keys' 42 is another player");
  const b = socket();
  const opened = registry.open(b, "42", Date.now(), Infinity, undefined, undefined, B);
  assert.equal(opened.player, "42");
  assert.equal(opened.identity, B);
  assert.deepEqual([registry.connectionsOf(A), registry.connectionsOf(B), registry.connectionsOf("42")], [1, 1, 0]);
  registry.closed(a);
  assert.deepEqual([registry.connectionsOf(A), registry.connectionsOf(B)], [0, 1]);
  assert.equal(registry.refusal(B)?.code, "TOO_MANY_PLAYER_CONNECTIONS");
});

Deno.test("ConnectionRegistry gives the same sub of two issuers a rate bucket each", async () => {
  const { registry, sink } = edge({ maxConnectionsPerPlayer: 2, ratePerPlayer: 1 });
  const [a1, a2, b] = [socket(), socket(), socket()];
  // Bursts of twice the rate: issuer A's player gets 2 of their 4 events through, over two connections.
  registry.open(a1, "42", Date.now(), Infinity, undefined, undefined, A).receive(frame("a-1", "a-2"));
  registry.open(a2, "42", Date.now(), Infinity, undefined, undefined, A).receive(frame("a-3", "a-4"));
  registry.open(b, "42", Date.now(), Infinity, undefined, undefined, B).receive(frame("b-1", "b-2"));
  // The admitted events go out as one batch when its linger ends.
  const write = await sink.written(1);
  await turn();
  const refused = (s: { sent: RecordedReply[] }) => s.sent.flatMap((reply) => reply.rejects ?? []).map((r) => r.code);
  assert.deepEqual(refused(a1), []);
  assert.deepEqual(refused(a2), ["RATE_LIMITED", "RATE_LIMITED"], "issuer A's player used up their bucket");
  assert.deepEqual(refused(b), [], "issuer B's player has a bucket of their own");
  const written = write.records.map((r) => r.headers["veltrix-event-id"]);
  assert.deepEqual(written.sort(), ["a-1", "a-2", "b-1", "b-2"]);
  assert.equal(sink.writes.length, 1);
});
