import assert from "node:assert/strict";
import { FakeRecordSink } from "./testing/fake_record_sink.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import type { LaneSink } from "../../core/routing/record_sink.ts";
import { createIngestContext } from "./ingest_context.ts";
import { ConnectionRegistry, type RegisteredSocket } from "./connection_registry.ts";
import { ProduceLanes } from "./produce_lanes.ts";

/** A socket that records what is sent. */
function socket(): RegisteredSocket & { sent: unknown[] } {
  const sent: unknown[] = [];
  return { readyState: WebSocket.OPEN, sent, send: (data) => sent.push(JSON.parse(data as string)), close() {} };
}

class FakeLaneSink extends FakeRecordSink implements LaneSink {
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function mapListing(version: bigint, ...tenants: string[]) {
  const map = defaultRouteMap();
  map.version = version;
  map.tenants = tenants.map((name) => ({ $typeName: "veltrix.v1.TenantQuota", name }) as (typeof map.tenants)[number]);
  return embeddedSnapshot(compileRouteMapOrThrow(map));
}

/** Lets every callback already due run (settled writes, reply flushes); not a readiness wait. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function frame(id: string): string {
  return JSON.stringify({ events: [{ id, type: "treasure.collected", data: { gold: 1 } }] });
}

Deno.test("a connection's events go through its tenant's lane; the map's tenants open lanes, and one that drops a tenant closes its lane", async () => {
  const routes = new LiveRouteTable(mapListing(1n, "acme", "zeta"));
  const shared = new FakeRecordSink();
  const opened = new Map<string, FakeLaneSink>();
  const lanes = new ProduceLanes({
    sink: shared,
    openSink: (lane) => opened.set(lane, new FakeLaneSink()).get(lane)!,
    tenantClaim: true,
    batcher: { lingerMs: 0, batchMaxEvents: 1, batchMaxBytes: 1e6, maxInFlightBatches: 1, maxPendingEvents: 100 },
  });
  routes.watch((snapshot) => lanes.follow(snapshot.table.tenancy.listed.map((quota) => quota.name)));
  assert.deepEqual([...opened.keys()], ["acme", "zeta"]);
  const registry = new ConnectionRegistry(
    createIngestContext({ routes, batcher: lanes.shared, lanes, edgeId: "e" }),
    { maxConnections: 10, maxConnectionsPerPlayer: 10, ratePerPlayer: Infinity },
  );
  const [a, z, n] = [socket(), socket(), socket()];
  registry.open(a, "p-acme", Date.now(), Infinity, undefined, "acme").receive(frame("a-1"));
  const zeta = registry.open(z, "p-zeta", Date.now(), Infinity, undefined, "zeta");
  zeta.receive(frame("z-1"));
  registry.open(n, "p-none", Date.now(), Infinity, undefined, undefined).receive(frame("n-1"));
  // Event ids written to `sink` (an event may have a record per target).
  const keysOf = (sink: FakeRecordSink) => [
    ...new Set(sink.writes.flatMap((w) => w.records.map((r) => r.headers["veltrix-event-id"]))),
  ];
  assert.deepEqual(keysOf((await opened.get("acme")!.written(1), opened.get("acme")!)), ["a-1"]);
  assert.deepEqual(keysOf((await opened.get("zeta")!.written(1), opened.get("zeta")!)), ["z-1"]);
  assert.deepEqual(keysOf((await shared.written(1), shared)), ["n-1"]);
  for (const sink of [opened.get("acme")!, opened.get("zeta")!, shared]) sink.writes[0]!.resolve();
  await turn();
  for (const s of [a, z, n]) assert.equal((s.sent[0] as { acks?: unknown[] }).acks?.length, 1, JSON.stringify(s.sent));

  // A map without zeta: its open connection, with nothing pending, moves to `other`; zeta's lane then has none and closes.
  routes.swap(mapListing(2n, "acme"));
  await turn();
  assert.equal(opened.get("zeta")!.closed, true);
  assert.deepEqual(lanes.labels(), ["other", "acme"]);
  assert.equal(zeta.lane.label, "other");
  registry.closed(z);
  assert.deepEqual(lanes.labels(), ["other", "acme"]);
});
