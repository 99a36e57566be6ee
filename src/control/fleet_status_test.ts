import assert from "node:assert/strict";
import { Hono } from "hono";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import type { EdgeStatus } from "../core/fleet/edge_status.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../core/updates/testing/route_signing.ts";
import { mountFleetRoutes } from "./fleet_routes.ts";
import { FleetStatus } from "./fleet_status.ts";
import { RouteControl } from "./route_control.ts";
import { RouteMapStore } from "./route_map_store.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ops = await makeSigningKey("ops-status");
const stranger = await makeSigningKey("ops-stranger");

async function setUp(now: () => number) {
  const control = new RouteControl({
    routes: new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap()))),
    keys: await TrustedKeys.import(parseTrustedKeys(ops.trustEntry)),
    maxBytes: 1 << 20,
    logger: quiet,
  });
  const published: EdgeStatus[] = [];
  const fleet = new FleetStatus({
    edgeId: "edge-1",
    control,
    feed: { publish: (s) => Promise.resolve(void published.push(s)) },
    logger: quiet,
    heartbeatMs: 60_000,
    staleMs: 1_000,
    now,
  });
  return { control, fleet, published };
}

Deno.test("FleetStatus writes the version in force at start, on every applied update and on a refusal, with its reason", async () => {
  const { control, fleet, published } = await setUp(Date.now);
  fleet.start();
  try {
    await fleet.publish();
    assert.deepEqual([published[0]!.version, published[0]!.source, published[0]!.refused], [
      "1",
      "embedded",
      undefined,
    ]);
    assert.ok((await control.update(signedBytes(await signRouteMap(ops, simpleMap(2n))))).ok);
    await control.update(signedBytes(await signRouteMap(stranger, simpleMap(3n))));
    await fleet.publish();
    const last = published.at(-1)!;
    assert.equal(last.version, "2");
    assert.equal(last.source, "admin");
    assert.deepEqual([last.refused?.version, last.refused?.code], ["3", "UNKNOWN_SIGNING_KEY"]);
    assert.match(last.refused!.reason, /ops-stranger/);
    assert.ok(published.some((s) => s.version === "2" && s.refused === undefined), "the apply was written at once");
  } finally {
    await fleet.stop();
  }
});

Deno.test("FleetStatus does not report a stale update (a replay, or its own map read back) as a refusal", async () => {
  const { control, fleet } = await setUp(Date.now);
  fleet.start();
  try {
    const two = signedBytes(await signRouteMap(ops, simpleMap(2n)));
    await control.update(two);
    await control.applyTopicRecord(two);
    assert.equal(fleet.own().refused, undefined);
  } finally {
    await fleet.stop();
  }
});

/** The status of another edge, with its heartbeat at `heartbeatMs`. */
function other(edgeId: string, heartbeatMs: number): EdgeStatus {
  return {
    edgeId,
    version: "1",
    appliedAt: new Date(0).toISOString(),
    source: "embedded",
    startedAt: new Date(0).toISOString(),
    heartbeatAt: new Date(heartbeatMs).toISOString(),
  };
}

Deno.test("GET /v1/fleet lists this edge and the edges it heard from, live or gone by heartbeat age", async () => {
  let now = 10_000;
  const { fleet } = await setUp(() => now);
  fleet.observe(other("edge-2", 9_500));
  fleet.observe(other("edge-3", 5_000));
  fleet.observe(other("edge-2", 9_000)); // older: ignored
  const app = new Hono();
  mountFleetRoutes(app, fleet);
  const body = await (await app.request("/v1/fleet")).json();
  assert.equal(body.staleMs, 1_000);
  assert.deepEqual(body.live.map((e: EdgeStatus) => [e.edgeId, e.heartbeatAt]), [
    ["edge-1", new Date(10_000).toISOString()],
    ["edge-2", new Date(9_500).toISOString()],
  ]);
  assert.deepEqual(body.gone.map((e: EdgeStatus) => e.edgeId), ["edge-3"]);
  now = 20_000;
  assert.deepEqual(fleet.view().live.map((e) => e.edgeId), ["edge-1"], "its own status is always fresh");
});

Deno.test("FleetStatus tells its listeners the live edges, itself included, as edges come and go stale", async () => {
  let now = 10_000;
  const { fleet } = await setUp(() => now);
  const told: number[] = [];
  const stop = fleet.onLiveEdges((liveEdges) => told.push(liveEdges));
  assert.equal(fleet.liveEdges, 1, "alone until it hears from others");
  fleet.observe(other("edge-2", 9_800));
  fleet.observe(other("edge-3", 9_900));
  fleet.observe(other("edge-4", 5_000)); // already stale
  fleet.observe(other("edge-1", 9_900)); // its own record, read back: not counted twice
  assert.deepEqual(told, [2, 3]);
  now = 10_850;
  assert.equal(fleet.checkLiveEdges(), 2, "edge-2's heartbeat is older than the stale limit");
  now = 20_000;
  assert.equal(fleet.checkLiveEdges(), 1, "nothing heard (Kafka out of reach): it counts only itself");
  fleet.observe(other("edge-2", 19_990));
  assert.deepEqual(told, [2, 3, 2, 1, 2]);
  stop();
  now = 30_000;
  fleet.checkLiveEdges();
  assert.deepEqual(told, [2, 3, 2, 1, 2], "a removed listener hears nothing");
});

Deno.test("FleetStatus of an edge that starts from its last known good map reports that version, from state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-fleet-state-" });
  try {
    await new RouteMapStore(dir).save(signedBytes(await signRouteMap(ops, simpleMap(7n))));
    const control = new RouteControl({
      routes: new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap()))),
      keys: await TrustedKeys.import(parseTrustedKeys(ops.trustEntry)),
      maxBytes: 1 << 20,
      logger: quiet,
      store: new RouteMapStore(dir),
    });
    assert.equal(await control.restore(), undefined);
    const fleet = new FleetStatus({
      edgeId: "edge-9",
      control,
      feed: { publish: () => Promise.resolve() },
      logger: quiet,
    });
    assert.deepEqual([fleet.own().version, fleet.own().source], ["7", "state"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
