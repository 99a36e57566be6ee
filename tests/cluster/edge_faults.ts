/**
 * Edge faults behind HAProxy on the three-node cluster: a rolling deploy (SIGTERM each edge in turn,
 * a new one in its place) with a signed route update pushed in the middle, and an edge killed -9.
 * SDK clients send through the balancer the whole time; players of a stopped edge reconnect through
 * it to another edge and resend what was not acked. `deno task test:cluster` runs them (`all_faults.ts`).
 */
import assert from "node:assert/strict";
import { defaultRouteMap } from "../../src/core/route_map/default_route_map.ts";
import { Format, KeyStrategy } from "../../src/gen/veltrix/v1/route_map_pb.ts";
import { readTopic } from "../support/kcat_reader.ts";
import { assertNothingLost, clusterFleet, pause } from "../support/cluster_setup.ts";
import { type ClusterFault, runFault } from "../support/fault_run.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../../src/core/updates/testing/route_signing.ts";

/** The version each edge of the fleet reports on its admin port. */
async function versions(adminPorts: readonly number[]): Promise<number[]> {
  return await Promise.all(adminPorts.map(async (port) => {
    return (await (await fetch(`http://127.0.0.1:${port}/v1/routes`)).json()).version as number;
  }));
}

/** Cluster fault 4 (see its name). */
export const rollingEdgeDeploy: ClusterFault = {
  name:
    "cluster fault 4: a rolling deploy SIGTERMs each edge in turn while a signed route update lands mid-way; every edge ends on it, no event is routed by a half-applied map, nothing acked is lost",
  async fn() {
    const ops = await makeSigningKey(`ops-deploy-${crypto.randomUUID().slice(0, 6)}`);
    const audit = `game.audit-${crypto.randomUUID().slice(0, 8)}`;
    const { brokers, fleet, traffic } = await clusterFleet({
      VELTRIX_TRUSTED_KEYS: ops.trustEntry,
      VELTRIX_ROUTES_TOPIC: `veltrix.routes.test-${crypto.randomUUID().slice(0, 8)}`,
    });
    // Version 2 also copies treasure.collected to an audit topic: a record's route version says
    // which map routed it, and each map names its own set of topics.
    const base = defaultRouteMap();
    const v2 = {
      version: base.version + 1n,
      deadLetterTopic: base.deadLetterTopic,
      routes: [
        ...base.routes.map((route) => ({
          name: route.name,
          match: route.match,
          targets: route.targets.map((target) => ({ topic: target.topic, key: target.key, format: target.format })),
        })),
        {
          name: "audit",
          match: "treasure.collected",
          targets: [{ topic: audit, key: KeyStrategy.PLAYER, format: Format.PROTOBUF }],
        },
      ],
    };
    try {
      const report = await runFault("4. rolling edge deploy + route update", traffic, async () => {
        const steps = [];
        for (let i = 0; i < fleet.edges.length; i++) {
          const step = await fleet.replace(i, "SIGTERM");
          assert.equal(step.exitCode, 0, "a SIGTERMed edge exits cleanly");
          steps.push(step);
          if (i === 0) {
            const posted = performance.now();
            const response = await fetch(`http://127.0.0.1:${fleet.edges[1]!.adminPort}/v1/routes`, {
              method: "POST",
              headers: { "content-type": "application/x-protobuf" },
              body: signedBytes(await signRouteMap(ops, v2)),
            });
            assert.equal(response.status, 200, await response.text());
            while ((await versions(fleet.edges.map((e) => e.adminPort))).some((v) => v !== 2)) {
              assert.ok(performance.now() - posted < 15_000, "every edge took the update within 15 s");
              await pause(20);
            }
            steps.push({ routeUpdateEverywhereMs: Math.round(performance.now() - posted) });
          }
        }
        return { steps };
      });
      assertNothingLost(report, traffic);
      assert.deepEqual(await versions(fleet.edges.map((e) => e.adminPort)), [2, 2, 2], "every edge ends on version 2");

      const byTopic = new Map<string, Map<string, string>>();
      for (const topic of [...traffic.topics, audit]) {
        const records = await readTopic(brokers, topic, Date.now() - report.durationMs - 5_000).catch(() => []);
        byTopic.set(
          topic,
          new Map(
            records.filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${report.run}-`))
              .map((r) => [r.headers["veltrix-event-id"]!, r.headers["veltrix-route-version"]!]),
          ),
        );
      }
      const halfApplied: string[] = [];
      const versionsSeen = new Map<string, number>();
      for (const [id, version] of byTopic.get("game.treasure")!) {
        versionsSeen.set(version, (versionsSeen.get(version) ?? 0) + 1);
        const inAudit = byTopic.get(audit)!.has(id);
        const sameVersion = [...traffic.topics].every((topic) => byTopic.get(topic)!.get(id) === version);
        if (!sameVersion || inAudit !== (version === "2")) halfApplied.push(`${id} v${version} audit=${inAudit}`);
      }
      console.log(`route versions of the deploy's events: ${JSON.stringify(Object.fromEntries(versionsSeen))}`);
      assert.deepEqual(halfApplied.slice(0, 5), [], "each event was routed whole by one map");
      assert.ok((versionsSeen.get("1") ?? 0) > 0 && (versionsSeen.get("2") ?? 0) > 0, "traffic ran on both maps");
    } finally {
      await fleet.stop();
    }
  },
};

/** Cluster fault 5 (see its name). */
export const edgeKill: ClusterFault = {
  name:
    "cluster fault 5: an edge behind the balancer is killed -9 mid-stream; its players land on the others and resend; nothing acked is lost",
  async fn() {
    const { fleet, traffic } = await clusterFleet();
    try {
      const report = await runFault("5. edge kill -9", traffic, async () => {
        const step = await fleet.replace(0, "SIGKILL", { downMs: 2_000 });
        return { ...step };
      });
      assertNothingLost(report, traffic);
    } finally {
      await fleet.stop();
    }
  },
};
