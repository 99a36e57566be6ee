/**
 * Fleet-scoped tenant quotas on two real edges and the real broker, with edge-status and route-map
 * topics of their own (so no other test's edges are counted). A map with
 * `tenantQuotaScope: FLEET` gives tenant "kart" Q events per second and 2 connections in all:
 * each edge enforces half. "kart" floods both edges at once, and the total acked over both stays
 * within Q × elapsed plus the bursts, not twice that; each edge holds one connection of it. A
 * heartbeat every 250 ms and a stale limit of 5 s keep a busy machine from losing an edge mid-flood.
 * Then one edge stops: once the other sees it gone (its `/v1/routes` and metrics say so, polled,
 * never slept on) its share is the whole quota, and it takes the tenant's second connection.
 */
import assert from "node:assert/strict";
import { runRoutesCli } from "../src/control/cli/routes_cli.ts";
import { TenantQuotaScope } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../src/core/updates/testing/route_signing.ts";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";
import { tryUpgrade } from "./support/upgrade_status.ts";

/** The tenant's events per second over the whole fleet. */
const Q = 100;

interface TenantQuotas {
  scope: string;
  liveEdges: number;
  share: number;
  tenants: { name: string; eventsPerSecond: number | null; maxConnections: number | null }[];
}

async function routesOf(edge: EdgeProcess): Promise<{ version: number | string; tenantQuotas: TenantQuotas }> {
  return await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`)).json();
}

/** Polls `read` until `done` holds; throws after 30 s naming `what`. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends frames of 50 events for `frames` frames, each as soon as the last is answered; returns the ids sent. */
async function flood(client: IngestClient, prefix: string, frames: number): Promise<string[]> {
  const sent: string[] = [];
  for (let f = 0; f < frames; f++) {
    const ids = Array.from({ length: 50 }, (_, i) => `${prefix}-${f}-${i}`);
    sent.push(...ids);
    client.sendJson(ids.map((id) => ({ id, type: "match.tick", data: { f } })));
    await client.waitFor(() => ids.every((id) => client.acked.has(id) || client.rejected.has(id)));
  }
  return sent;
}

Deno.test("a fleet-scoped quota holds over two edges, and one edge's share rises to the whole quota when the other goes", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const ops = await makeSigningKey(`ops-fleetquota-${run}`);
  const common = {
    VELTRIX_ROUTES_TOPIC: `veltrix.routes.fleetquota-${run}`,
    VELTRIX_EDGES_TOPIC: `veltrix.edges.fleetquota-${run}`,
    VELTRIX_EDGE_HEARTBEAT_MS: "250",
    VELTRIX_EDGE_STALE_MS: "5000",
    VELTRIX_TRUSTED_KEYS: ops.trustEntry,
    VELTRIX_TENANT_CLAIM: "game",
    VELTRIX_RATE_PER_CONNECTION: "100000",
    VELTRIX_RATE_PER_PLAYER: "100000",
  };
  const edges = await Promise.all([
    startEdgeProcess({ ...common, VELTRIX_EDGE_ID: `fq-a-${run}` }),
    startEdgeProcess({ ...common, VELTRIX_EDGE_ID: `fq-b-${run}` }),
  ]);
  const [a, b] = edges as [EdgeProcess, EdgeProcess];
  const clients: IngestClient[] = [];
  let bStopped = false;
  try {
    const applied = await fetch(`http://127.0.0.1:${a.adminPort}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: signedBytes(
        await signRouteMap(ops, {
          version: 2n,
          routes: [{ name: "all", match: "*", targets: [{ topic: `game.fleetquota-${run}` }] }],
          tenants: [{ name: "kart", eventsPerSecond: Q, maxConnections: 2 }],
          tenantQuotaScope: TenantQuotaScope.FLEET,
        }),
      ),
    });
    assert.equal(applied.status, 200, await applied.text());
    // Both edges have the map (b from the route map topic) and see each other: each enforces half.
    for (const edge of edges) {
      const { tenantQuotas } = await until(
        () => routesOf(edge),
        (r) => String(r.version) === "2" && r.tenantQuotas.liveEdges === 2,
        `${edge.edgeId}: map 2 and two live edges`,
      );
      assert.equal(tenantQuotas.scope, "fleet");
      assert.equal(tenantQuotas.share, 0.5);
      assert.deepEqual(tenantQuotas.tenants[0], {
        name: "kart",
        eventsPerSecond: Q / 2,
        maxConnections: 1,
        bytesPerSecond: null,
        topicPrefix: "",
      });
      const metrics = await (await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`)).text();
      assert.match(metrics, /^veltrix_fleet_live_edges 2$/m);
      assert.match(metrics, /^veltrix_tenant_quota_share 0\.5$/m);
    }
    const status: string[] = [];
    assert.equal(
      await runRoutesCli(["status", "--admin", `http://127.0.0.1:${a.adminPort}`], (l) => status.push(l)),
      0,
    );
    assert.match(status.join("\n"), /quotas for the fleet: this edge enforces 1\/2 of each/);

    // "kart" floods both edges at once, one connection on each (its cap on each edge is 1).
    const connect = async (edge: EdgeProcess, player: string) => {
      const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player, { game: "kart" }));
      clients.push(client);
      return client;
    };
    const onA = await connect(a, `kart-a-${run}`);
    const onB = await connect(b, `kart-b-${run}`);
    const capped = await tryUpgrade(`${a.ingestUrl}?token=${await playerToken(`kart-a2-${run}`, { game: "kart" })}`);
    assert.equal(capped.status, 503, capped.body);
    assert.match(capped.body, /tenant kart holds its quota of 1 connections/);
    const started = performance.now();
    const [sentA, sentB] = await Promise.all([flood(onA, `${run}-a`, 60), flood(onB, `${run}-b`, 60)]);
    const elapsedS = (performance.now() - started) / 1000;
    const ackedA = sentA.filter((id) => onA.acked.has(id)).length;
    const ackedB = sentB.filter((id) => onB.acked.has(id)).length;
    const total = ackedA + ackedB;
    // Bursts: twice each edge's share, so 2 × Q over the fleet; then Q a second in all (+1 a second per edge for rounding).
    const bound = 2 * Q + Math.ceil((Q + 2) * elapsedS) + 2;
    console.log(
      `kart acked ${ackedA} on a + ${ackedB} on b = ${total} of ${sentA.length + sentB.length} sent in ` +
        `${elapsedS.toFixed(2)} s; fleet bound ${bound}, per-edge quotas would allow ${
          Math.round(2 * (2 * Q + Q * elapsedS))
        }`,
    );
    assert.ok(total <= bound, `${total} acked over the fleet in ${elapsedS.toFixed(2)} s, bound ${bound}`);
    assert.ok(ackedA >= Q && ackedB >= Q, "each edge took at least its burst (twice its share)");
    const refused = [...onA.rejected.values(), ...onB.rejected.values()];
    assert.ok(refused.length > 0 && refused.every((r) => r.code === "OVERLOADED"), "over the share: OVERLOADED");
    await Promise.all(clients.splice(0).map((client) => client.close()));

    // Edge b stops: once a sees it gone, a enforces the whole quota and takes kart's second connection.
    assert.equal(await b.stop(), 0);
    bStopped = true;
    const { tenantQuotas } = await until(() => routesOf(a), (r) => r.tenantQuotas.liveEdges === 1, "edge b gone");
    assert.equal(tenantQuotas.share, 1);
    assert.deepEqual([tenantQuotas.tenants[0]?.eventsPerSecond, tenantQuotas.tenants[0]?.maxConnections], [Q, 2]);
    const metrics = await (await fetch(`http://127.0.0.1:${a.adminPort}/metrics`)).text();
    assert.match(metrics, /^veltrix_fleet_live_edges 1$/m);
    assert.match(metrics, /^veltrix_tenant_quota_share 1$/m);
    await connect(a, `kart-a3-${run}`);
    const second = await tryUpgrade(`${a.ingestUrl}?token=${await playerToken(`kart-a4-${run}`, { game: "kart" })}`);
    assert.equal(second.status, 101, "the whole quota of 2 connections on the one live edge");
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await a.stop();
    if (!bStopped) await b.stop();
  }
});
