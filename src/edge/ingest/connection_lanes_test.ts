/**
 * Produce lanes as connections see them: a connection writes through its tenant's lane, and an
 * open connection follows the tenant label the stable map in force gives its claim. A map that
 * lists its tenant anew moves it to that tenant's budget (quota and connection count) and, once
 * none of its events is pending, to that tenant's lane; a map that drops it moves it back to
 * `other`. Writes are settled by hand (FakeRecordSink), so "pending" is what the test says.
 */
import assert from "node:assert/strict";
import { FakeRecordSink } from "./testing/fake_record_sink.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import type { LaneSink } from "../../core/routing/record_sink.ts";
import { createIngestContext } from "./ingest_context.ts";
import { ConnectionRegistry } from "./connection_registry.ts";
import { ProduceLanes } from "./produce_lanes.ts";
import { recordingSocket as socket } from "./testing/recording_socket.ts";

class FakeLaneSink extends FakeRecordSink implements LaneSink {
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A map listing `tenants`: names without a limit, or each name with its events per second (0: no limit). */
function mapListing(version: bigint, ...tenants: (string | Record<string, number>)[]) {
  const map = defaultRouteMap();
  map.version = version;
  const quotas = tenants.flatMap((t): [string, number][] => typeof t === "string" ? [[t, 0]] : Object.entries(t));
  map.tenants = quotas.map(([name, eventsPerSecond]) =>
    ({ $typeName: "veltrix.v1.TenantQuota", name, eventsPerSecond }) as (typeof map.tenants)[number]
  );
  return embeddedSnapshot(compileRouteMapOrThrow(map));
}

/** Lets every callback already due run (settled writes, reply flushes); not a readiness wait. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function frame(...ids: string[]): string {
  return JSON.stringify({ events: ids.map((id) => ({ id, type: "treasure.collected", data: { gold: 1 } })) });
}

/** Event ids written to `sink`, in write order (an event may have a record per target). */
function idsIn(sink: FakeRecordSink): string[] {
  return [...new Set(sink.writes.flatMap((w) => w.records.map((r) => r.headers["veltrix-event-id"]!)))];
}

function edge(first = mapListing(1n)) {
  const routes = new LiveRouteTable(first);
  const shared = new FakeRecordSink();
  const opened = new Map<string, FakeLaneSink>();
  const lanes = new ProduceLanes({
    sink: shared,
    openSink: (lane) => opened.set(lane, new FakeLaneSink()).get(lane)!,
    tenantClaim: true,
    batcher: { lingerMs: 0, batchMaxEvents: 1, batchMaxBytes: 1e6, maxInFlightBatches: 1, maxPendingEvents: 100 },
  });
  routes.watch((snapshot) => lanes.follow(snapshot.table.tenancy.listed.map((quota) => quota.name)));
  const registry = new ConnectionRegistry(
    createIngestContext({ routes, batcher: lanes.shared, lanes, edgeId: "e" }),
    { maxConnections: 10, maxConnectionsPerPlayer: 10, ratePerPlayer: Infinity },
  );
  const connections = (label: string) => [...registry.tenantBudgets()].find((b) => b.label === label)?.connections;
  return { routes, shared, opened, lanes, registry, connections };
}

Deno.test("a connection's events go through its tenant's lane; the map's tenants open lanes, and one that drops a tenant closes its lane", async () => {
  const { routes, shared, opened, lanes, registry } = edge(mapListing(1n, "acme", "zeta"));
  assert.deepEqual([...opened.keys()], ["acme", "zeta"]);
  const [a, z, n] = [socket(), socket(), socket()];
  registry.open(a, "p-acme", Date.now(), Infinity, undefined, "acme").receive(frame("a-1"));
  const zeta = registry.open(z, "p-zeta", Date.now(), Infinity, undefined, "zeta");
  zeta.receive(frame("z-1"));
  registry.open(n, "p-none", Date.now(), Infinity, undefined, undefined).receive(frame("n-1"));
  assert.deepEqual(idsIn((await opened.get("acme")!.written(1), opened.get("acme")!)), ["a-1"]);
  assert.deepEqual(idsIn((await opened.get("zeta")!.written(1), opened.get("zeta")!)), ["z-1"]);
  assert.deepEqual(idsIn((await shared.written(1), shared)), ["n-1"]);
  for (const sink of [opened.get("acme")!, opened.get("zeta")!, shared]) sink.writes[0]!.resolve();
  await turn();
  for (const s of [a, z, n]) assert.equal(s.sent[0]?.acks?.length, 1, JSON.stringify(s.sent));

  // A map without zeta: its open connection, with nothing pending, moves to `other`; zeta's lane then has none and closes.
  routes.swap(mapListing(2n, "acme"));
  await turn();
  assert.equal(opened.get("zeta")!.closed, true);
  assert.deepEqual(lanes.labels(), ["other", "acme"]);
  assert.equal(zeta.lane.label, "other");
  registry.closed(z);
  assert.deepEqual(lanes.labels(), ["other", "acme"]);
});

Deno.test("ConnectionRegistry moves an open connection to the budget of a map that lists its tenant, and back to other when one drops it", async () => {
  const { routes, registry, connections } = edge();
  const s = socket();
  const g = registry.open(s, "p-g", Date.now(), Infinity, undefined, "g");
  assert.equal(connections("other"), 1);

  // g is listed with 2 events per second (a burst of 4): the open connection is held to it from its next frame.
  routes.swap(mapListing(2n, { g: 2 }));
  assert.equal(connections("g"), 1);
  assert.equal(connections("other"), 0);
  g.receive(frame("a", "b", "c", "d", "e", "f"));
  await turn();
  const refused = s.sent.flatMap((reply) => reply.rejects ?? []);
  assert.deepEqual(refused.map((r) => [r.id, r.code]), [["e", "OVERLOADED"], ["f", "OVERLOADED"]]);
  const budget = [...registry.tenantBudgets()].find((b) => b.label === "g")!;
  assert.equal(budget.admitted, 4);
  assert.equal(budget.overQuota, 2);

  // A canary without g, run beside the same stable map, moves nobody: quotas and labels follow the stable map.
  const canary = mapListing(3n);
  const cohort = { kind: "share", basisPoints: 10_000, salt: "s" } as const;
  routes.swap({ ...routes.snapshot, canary: { ...canary, signed: new Uint8Array(), cohort } });
  assert.equal(connections("g"), 1);
  // Aborted, it moves nobody either; a stable map without g puts it back under other.
  routes.swap({ ...routes.snapshot, canary: undefined });
  assert.equal(connections("g"), 1);
  routes.swap(mapListing(4n));
  assert.equal(connections("g"), 0);
  assert.equal(connections("other"), 1);
  registry.closed(s);
  assert.equal(connections("other"), 0);
});

Deno.test("ConnectionRegistry moves a connection even past the new tenant's connection cap, and refuses the next one", () => {
  const map = defaultRouteMap();
  map.version = 2n;
  map.tenants = [{ $typeName: "veltrix.v1.TenantQuota", name: "g", maxConnections: 1 } as (typeof map.tenants)[number]];
  const { routes, registry, connections } = edge();
  const [s1, s2] = [socket(), socket()];
  registry.open(s1, "p-1", Date.now(), Infinity, undefined, "g");
  registry.open(s2, "p-2", Date.now(), Infinity, undefined, "g");
  routes.swap(embeddedSnapshot(compileRouteMapOrThrow(map)));
  assert.equal(connections("g"), 2);
  assert.equal(registry.refusal("p-3", "g")?.code, "TOO_MANY_CONNECTIONS");
});

Deno.test("a relabelled connection keeps its old lane until its pending events settle, then writes through its new tenant's", async () => {
  const { routes, shared, opened, lanes, registry } = edge();
  const s = socket();
  const g = registry.open(s, "p-g", Date.now(), Infinity, undefined, "g");
  g.receive(frame("e1"));
  const first = await shared.written(1);

  routes.swap(mapListing(2n, { g: 0 }));
  const own = opened.get("g")!;
  assert.equal(g.lane.label, "other", "e1 is still pending in other");
  g.receive(frame("e2"));
  // e2 queues behind e1 in the other lane (one write at a time), never in g's.
  first.resolve();
  const second = await shared.written(2);
  assert.equal(g.lane.label, "other", "e2 is still pending in other");
  second.resolve();
  await turn();
  assert.equal(g.lane.label, "g");
  g.receive(frame("e3"));
  (await own.written(1)).resolve();
  await turn();
  assert.deepEqual(idsIn(shared), ["e1", "e2"]);
  assert.deepEqual(idsIn(own), ["e3"]);
  assert.deepEqual(s.sent.flatMap((reply) => reply.acks ?? []), ["e1", "e2", "e3"]);

  // Dropped again while e4 is pending in g's lane: it stays there until e4 settles; then the lane has none and closes.
  g.receive(frame("e4"));
  const fourth = await own.written(2);
  routes.swap(mapListing(3n));
  await turn();
  assert.equal(g.lane.label, "g");
  assert.equal(own.closed, false);
  fourth.reject(new Error("broker gone"));
  await turn();
  assert.equal(g.lane.label, "other");
  assert.equal(own.closed, true);
  assert.deepEqual(lanes.labels(), ["other"]);
  assert.deepEqual(s.sent.flatMap((reply) => reply.rejects ?? []).map((r) => [r.id, r.code]), [[
    "e4",
    "KAFKA_WRITE_FAILED",
  ]]);
  registry.closed(s);
  assert.deepEqual(lanes.labels(), ["other"]);
});

Deno.test("a connection relabelled twice before its events settle ends in the lane of the last label, or stays put", async () => {
  const { routes, shared, registry } = edge();
  const s = socket();
  const g = registry.open(s, "p-g", Date.now(), Infinity, undefined, "g");
  g.receive(frame("e1"));
  const first = await shared.written(1);
  routes.swap(mapListing(2n, { g: 0 }));
  routes.swap(mapListing(3n));
  first.resolve();
  await turn();
  assert.equal(g.lane.label, "other");
  registry.closed(s);
  // Closed with a move pending: it joins no lane after it left.
  const t = socket();
  const h = registry.open(t, "p-h", Date.now(), Infinity, undefined, "h");
  h.receive(frame("h1"));
  const pending = await shared.written(2);
  routes.swap(mapListing(4n, { h: 0 }));
  registry.closed(t);
  pending.resolve();
  await turn();
  assert.equal(h.lane.label, "other");
});
