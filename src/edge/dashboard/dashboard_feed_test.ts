import assert from "node:assert/strict";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import type { Logger } from "../../core/ops/logger.ts";
import { parseTrustedKeys, TrustedKeys } from "../../core/updates/trusted_keys.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { RouteControl } from "../../control/route_control.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../../core/updates/testing/route_signing.ts";
import {
  DashboardFeed,
  type DashboardFeedOptions,
  type DashboardMessage,
  type DashboardPoint,
} from "./dashboard_feed.ts";
import { EdgeMetrics } from "../edge_metrics.ts";
import type { DashboardTenant } from "./dashboard_tenants.ts";
import { TenantQuotaScope } from "../../gen/veltrix/v1/route_map_pb.ts";

const ops = await makeSigningKey("ops-dash");
const keys = await TrustedKeys.import(parseTrustedKeys(ops.trustEntry));
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Harness {
  readonly feed: DashboardFeed;
  readonly metrics: EdgeMetrics;
  readonly control: RouteControl;
}

function harness(options: Partial<DashboardFeedOptions> = {}): Harness {
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({ routes, keys, maxBytes: 65536, logger: quiet });
  const metrics = new EdgeMetrics();
  metrics.observe({ connections: () => 7, inFlightEvents: () => 3, routeMapVersion: () => 1 });
  const feed = new DashboardFeed({
    registry: metrics.registry,
    control,
    routes,
    edgeId: "edge-under-test",
    connections: () => 7,
    inFlightEvents: () => 3,
    intervalMs: 20,
    ...options,
  });
  return { feed, metrics, control };
}

/** A subscriber that keeps what it gets and lets a test wait for the next message of a kind. */
class Recorder {
  readonly #queued: DashboardMessage[] = [];
  readonly #waiting: { event: string; resolve: (data: unknown) => void }[] = [];
  readonly stop: () => void;

  constructor(feed: DashboardFeed) {
    this.stop = feed.subscribe((message) => {
      const waiter = this.#waiting.findIndex((w) => w.event === message.event);
      if (waiter === -1) this.#queued.push(message);
      else this.#waiting.splice(waiter, 1)[0]!.resolve(JSON.parse(message.data));
    });
  }

  /** The next message of `event` (parsed), failing after 5 s. */
  next<T>(event: DashboardMessage["event"]): Promise<T> {
    const queued = this.#queued.findIndex((m) => m.event === event);
    if (queued !== -1) return Promise.resolve(JSON.parse(this.#queued.splice(queued, 1)[0]!.data));
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const timer = setTimeout(() => reject(new Error(`no ${event} message within 5 s`)), 5_000);
    this.#waiting.push({
      event,
      resolve: (data) => {
        clearTimeout(timer);
        resolve(data as T);
      },
    });
    return promise;
  }
}

interface RoutesBody {
  current: { version: number; keyId: string; source: string };
  deadLetterTopic: string | null;
  routes: { name: string; match: string; targets: { topic: string; key: string; format: string }[] }[];
  history: { version: number; keyId: string; appliedAt: string }[];
}

Deno.test("DashboardFeed samples only while someone subscribes", () => {
  const { feed } = harness();
  assert.equal(feed.running, false);
  const stopA = feed.subscribe(() => {});
  const stopB = feed.subscribe(() => {});
  assert.equal(feed.running, true);
  stopA();
  assert.equal(feed.running, true, "one subscriber is left");
  stopB();
  stopB();
  assert.equal(feed.running, false);
  assert.equal(feed.subscribers, 0);
});

Deno.test("DashboardFeed sends a new subscriber the snapshot and the route table at once", () => {
  const { feed } = harness();
  const got: DashboardMessage[] = [];
  const stop = feed.subscribe((message) => got.push(message));
  stop();
  assert.deepEqual(got.map((m) => m.event), ["snapshot", "routes"]);
  const snapshot = JSON.parse(got[0]!.data);
  assert.equal(snapshot.edgeId, "edge-under-test");
  assert.deepEqual(snapshot.points, []);
  const routes: RoutesBody = JSON.parse(got[1]!.data);
  assert.equal(routes.current.version, 1);
  assert.equal(routes.deadLetterTopic, "veltrix.unrouted");
  const loot = routes.routes.find((route) => route.match === "treasure.collected");
  assert.ok(loot, JSON.stringify(routes.routes));
  assert.deepEqual(loot.targets, [{ topic: "game.leaderboard", key: "PLAYER", format: "PROTOBUF" }]);
  assert.deepEqual(routes.routes.map((route) => route.match).sort(), ["player.*", "treasure.*", "treasure.collected"]);
});

Deno.test("a DashboardPoint has the interval's rates, ack-latency p50/p99 and rejects by code", async () => {
  const { feed, metrics } = harness();
  // Before the interval: slow acks and a reject that must not count in its quantiles or rates.
  for (let i = 0; i < 100; i++) metrics.acked(900);
  metrics.rejected("OVERLOADED");
  const recorder = new Recorder(feed);
  try {
    await recorder.next("point");
    metrics.received(100);
    for (let i = 0; i < 98; i++) metrics.acked(4); // (2.5 ms, 5 ms]
    for (let i = 0; i < 2; i++) metrics.acked(80); // (50 ms, 100 ms]
    for (let i = 0; i < 3; i++) metrics.rejected("RATE_LIMITED");
    const point = await recorder.next<DashboardPoint>("point");
    assert.equal(point.received, 100);
    assert.equal(point.acked, 200);
    assert.ok(point.receivedPerSecond > 0 && point.ackedPerSecond > 0, JSON.stringify(point));
    assert.equal(point.p50Ms, 3.78); // 2.5 + 2.5 × 50/98
    assert.equal(point.p99Ms, 75); // halfway through (50, 100]: rank 99 of 100
    assert.equal(point.connections, 7);
    assert.equal(point.inFlight, 3);
    assert.equal(point.routeVersion, "1");
    const rejects = Object.fromEntries(point.rejects.map((r) => [r.code, r]));
    assert.equal(rejects.OVERLOADED?.total, 1);
    assert.equal(rejects.OVERLOADED?.perSecond, 0);
    assert.equal(rejects.RATE_LIMITED?.total, 3);
    assert.ok(rejects.RATE_LIMITED!.perSecond > 0);

    const idle = await recorder.next<DashboardPoint>("point");
    assert.equal(idle.receivedPerSecond, 0);
    assert.equal(idle.p50Ms, null, "nothing was acked in the interval");
  } finally {
    recorder.stop();
  }
});

Deno.test("DashboardFeed keeps only the latest points for a new subscriber", async () => {
  const { feed } = harness({ historyPoints: 3, intervalMs: 10 });
  const first = new Recorder(feed);
  try {
    const seen: DashboardPoint[] = [];
    for (let i = 0; i < 5; i++) seen.push(await first.next<DashboardPoint>("point"));
    const second = new Recorder(feed);
    second.stop();
    const { points } = await second.next<{ points: DashboardPoint[] }>("snapshot");
    assert.equal(points.length, 3);
    assert.deepEqual(points.at(-1), seen.at(-1));
  } finally {
    first.stop();
  }
});

Deno.test("DashboardFeed sends every subscriber the new table and who signed it when a map is applied", async () => {
  const { feed, control } = harness();
  const a = new Recorder(feed);
  const b = new Recorder(feed);
  try {
    await a.next("routes");
    await b.next("routes");
    const outcome = await control.update(signedBytes(await signRouteMap(ops, simpleMap(2n, "game.dash-topic"))));
    assert.ok(outcome.ok);
    for (const recorder of [a, b]) {
      const routes = await recorder.next<RoutesBody>("routes");
      assert.equal(routes.current.version, 2);
      assert.equal(routes.current.keyId, "ops-dash");
      assert.deepEqual(routes.routes.find((r) => r.name === "players")?.targets.map((t) => t.topic), [
        "game.dash-topic",
      ]);
      assert.deepEqual(routes.history.map((h) => [h.version, h.keyId]), [[2, "ops-dash"], [1, ""]]);
    }
  } finally {
    a.stop();
    b.stop();
  }
});

Deno.test("DashboardFeed drops a subscriber that throws, and stops when it was the last", async () => {
  const { feed } = harness();
  const dropped = Promise.withResolvers<void>();
  feed.subscribe((message) => {
    if (message.event !== "point") return;
    queueMicrotask(dropped.resolve);
    throw new Error("socket gone");
  });
  assert.equal(feed.running, true);
  // The feed's timer is unref'd, so something must hold the test open meanwhile.
  const deadline = setTimeout(() => dropped.reject(new Error("no point within 5 s")), 5_000);
  await dropped.promise.finally(() => clearTimeout(deadline));
  assert.equal(feed.subscribers, 0);
  assert.equal(feed.running, false);
});

Deno.test("DashboardFeed sends the fleet on subscribe and again every interval, when the edge has fleet status", async () => {
  let version = "1";
  const status = (edgeId: string) => ({
    edgeId,
    version,
    appliedAt: new Date(0).toISOString(),
    source: "topic" as const,
    startedAt: new Date(0).toISOString(),
    heartbeatAt: new Date().toISOString(),
  });
  const { feed } = harness({ fleet: () => ({ live: [status("edge-a"), status("edge-b")], gone: [] }) });
  const recorder = new Recorder(feed);
  try {
    const first = await recorder.next<{ live: { edgeId: string; version: string }[] }>("fleet");
    assert.deepEqual(first.live.map((e) => [e.edgeId, e.version]), [["edge-a", "1"], ["edge-b", "1"]]);
    version = "2";
    let later = await recorder.next<{ live: { version: string }[] }>("fleet");
    while (later.live[0]!.version === "1") later = await recorder.next("fleet");
    assert.deepEqual(later.live.map((e) => e.version), ["2", "2"]);
  } finally {
    recorder.stop();
  }
});

Deno.test("DashboardFeed sends no fleet message when the edge has no fleet status", async () => {
  const { feed } = harness();
  const messages: string[] = [];
  // A fleet message would go right after each point: two points make two intervals without one.
  const twoPoints = Promise.withResolvers<void>();
  const timer = setTimeout(() => twoPoints.reject(new Error("no two point messages within 5 s")), 5_000);
  const stop = feed.subscribe((message) => {
    messages.push(message.event);
    if (messages.filter((event) => event === "point").length === 2) twoPoints.resolve();
  });
  try {
    await twoPoints.promise;
  } finally {
    clearTimeout(timer);
    stop();
  }
  assert.ok(!messages.includes("fleet"), messages.join(", "));
});

Deno.test("DashboardFeed sends the last dry run on subscribe and again when a new one is answered", async () => {
  let last: { at: string; candidateVersion: string } | undefined = {
    at: "2026-01-01T00:00:00.000Z",
    candidateVersion: "2",
  };
  const { feed } = harness({ lastDryRun: () => last });
  const recorder = new Recorder(feed);
  try {
    assert.equal((await recorder.next<{ candidateVersion: string }>("dry-run")).candidateVersion, "2");
    last = { at: "2026-01-01T00:01:00.000Z", candidateVersion: "3" };
    assert.equal((await recorder.next<{ candidateVersion: string }>("dry-run")).candidateVersion, "3");
    await recorder.next("point");
    await recorder.next("point");
    const messages: string[] = [];
    const stop = feed.subscribe((m) => messages.push(m.event));
    stop();
    assert.ok(messages.includes("dry-run"), "a new subscriber gets the last one");
  } finally {
    recorder.stop();
  }
});

Deno.test("DashboardFeed sends the tenants the map lists, then other, quota beside use, the one refused now marked over quota", async () => {
  const { feed, metrics, control } = harness();
  const usage = (label: string) => ({ label, connections: 0, admitted: 0, overQuota: 0, bytes: 0 });
  const kart = usage("kart");
  const chess = usage("chess");
  const other = usage("other");
  // A label a map listed once: its metrics stay, but the map in force does not list it.
  const gone = { ...usage("gone"), admitted: 100 };
  metrics.observe({
    connections: () => 7,
    inFlightEvents: () => 3,
    routeMapVersion: () => 2,
    tenants: () => [kart, chess, other, gone],
  });
  const map = {
    version: 2n,
    routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }],
    tenants: [
      { name: "kart", eventsPerSecond: 20, maxConnections: 5, topicPrefix: "kart." },
      { name: "chess", eventsPerSecond: 1000 },
    ],
  };
  assert.ok((await control.update(signedBytes(await signRouteMap(ops, map)))).ok);
  const recorder = new Recorder(feed);
  try {
    await recorder.next("tenants");
    Object.assign(kart, { connections: 2, admitted: 40, overQuota: 10, bytes: 4000 });
    Object.assign(chess, { connections: 1, admitted: 5, bytes: 500 });
    gone.admitted = 200;
    for (let i = 0; i < 100; i++) metrics.tenantAcks("chess").acked(4);
    const { tenants } = await recorder.next<{ tenants: DashboardTenant[] }>("tenants");
    assert.deepEqual(tenants.map((t) => t.name), ["kart", "chess", "other"]);
    const [k, c, o] = tenants as [DashboardTenant, DashboardTenant, DashboardTenant];
    assert.deepEqual(k.quota, {
      name: "kart",
      eventsPerSecond: 20,
      maxConnections: 5,
      bytesPerSecond: null,
      topicPrefix: "kart.",
    });
    assert.equal(k.connections, 2);
    assert.ok(k.admittedPerSecond > 0 && k.refusedPerSecond > 0 && k.bytesPerSecond > 0, JSON.stringify(k));
    assert.equal(k.overQuota, true);
    assert.deepEqual(k.ackP99, { kind: "too-few", samples: 0, minimum: 20 }, "none of its events was acked");
    assert.equal(c.overQuota, false);
    assert.equal(c.refusedPerSecond, 0);
    assert.ok(c.admittedPerSecond > 0);
    assert.ok(c.ackP99.kind === "estimate" && c.ackP99.ms > 2.5 && c.ackP99.ms <= 5, JSON.stringify(c));
    assert.equal(c.ackP99.samples, 100);
    assert.deepEqual([o.connections, o.admittedPerSecond, o.overQuota, o.quota.eventsPerSecond], [0, 0, false, null]);

    const calm = await recorder.next<{ tenants: DashboardTenant[] }>("tenants");
    assert.equal(calm.tenants[0]!.overQuota, false, "nothing refused in the next interval: no longer over quota");
    const late: DashboardMessage[] = [];
    feed.subscribe((m) => late.push(m))();
    assert.ok(late.some((m) => m.event === "tenants"), "a new subscriber gets the latest tenants at once");
  } finally {
    recorder.stop();
  }
});

Deno.test("DashboardFeed shows this edge's share of fleet-scoped tenant quotas", async () => {
  let liveEdges = 4;
  const { feed, control } = harness({ liveEdges: () => liveEdges });
  const map = {
    version: 2n,
    routes: [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }],
    tenants: [{ name: "kart", eventsPerSecond: 2000, maxConnections: 5 }],
    tenantQuotaScope: TenantQuotaScope.FLEET,
  };
  assert.ok((await control.update(signedBytes(await signRouteMap(ops, map)))).ok);
  const recorder = new Recorder(feed);
  try {
    await recorder.next("tenants");
    const shared = await recorder.next<{ tenants: DashboardTenant[] }>("tenants");
    assert.deepEqual([shared.tenants[0]!.quota.eventsPerSecond, shared.tenants[0]!.quota.maxConnections], [500, 2]);
    liveEdges = 1;
    const whole = await recorder.next<{ tenants: DashboardTenant[] }>("tenants");
    assert.deepEqual([whole.tenants[0]!.quota.eventsPerSecond, whole.tenants[0]!.quota.maxConnections], [2000, 5]);
  } finally {
    recorder.stop();
  }
});
