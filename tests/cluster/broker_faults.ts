/**
 * Broker faults on the three-node cluster (RF 3, min.insync.replicas 2), with SDK clients sending
 * through HAProxy to three edges the whole time: the leader of most of `game.treasure` killed -9,
 * a rolling restart of every broker, and the in-sync quorum lost. Afterwards kcat reads every
 * topic back: nothing acked is missing, and everything sent is acked once the clients drain.
 * `deno task test:cluster` runs them (`all_faults.ts`).
 */
import assert from "node:assert/strict";
import { clusterNodes } from "../../tools/kafka/cluster_layout.ts";
import { leaderCounts, readMetadata } from "../../tools/kafka/cluster_metadata.ts";
import { startNode, stopNode, waitInSync, waitNodeAnswers } from "../../tools/kafka/kafka_cluster.ts";
import { assertNothingLost, clusterFleet, healCluster, NODES, pause } from "../support/cluster_setup.ts";
import { type ClusterFault, runFault } from "../support/fault_run.ts";
import { IngestClient } from "../support/ingest_client.ts";
import { playerToken } from "../support/tokens.ts";

/** Restarts node `id` and waits until it answers and every replica is back in sync; returns the ms. */
async function restartAndSync(id: number, signal: "SIGTERM" | "SIGKILL", downMs = 0): Promise<number> {
  const started = performance.now();
  await stopNode(NODES, id, signal);
  if (downMs > 0) await pause(downMs);
  await startNode(NODES, id);
  await waitNodeAnswers(NODES, clusterNodes(NODES)[id - 1]!);
  await waitInSync(NODES, 120_000);
  return Math.round(performance.now() - started);
}

/** Cluster fault 1 (see its name). */
export const leaderKill: ClusterFault = {
  name:
    "cluster fault 1: the broker leading most partitions of game.treasure is killed -9 mid-stream and back 10 s later; nothing acked is lost",
  async fn() {
    const { brokers, fleet, traffic } = await clusterFleet();
    try {
      const report = await runFault("1. leader broker kill -9", traffic, async () => {
        const [[leader, led] = [0, 0]] = leaderCounts(await readMetadata(brokers, "game.treasure"), "game.treasure");
        assert.ok(leader > 0, "game.treasure has leaders");
        const backInSyncMs = await restartAndSync(leader, "SIGKILL", 10_000);
        return { killedBroker: leader, partitionsItLed: led, downMs: 10_000, backInSyncMs };
      });
      assertNothingLost(report, traffic);
    } finally {
      await fleet.stop();
      await healCluster();
    }
  },
};

/** Cluster fault 2 (see its name). */
export const rollingBrokerRestart: ClusterFault = {
  name:
    "cluster fault 2: each broker is restarted in turn under load, waiting for in-sync replicas between steps; nothing acked is lost",
  async fn() {
    const { fleet, traffic } = await clusterFleet();
    try {
      const report = await runFault("2. rolling broker restart", traffic, async () => {
        const stepMs: number[] = [];
        for (const node of clusterNodes(NODES)) stepMs.push(await restartAndSync(node.id, "SIGTERM"));
        return { stepMs };
      });
      assertNothingLost(report, traffic);
    } finally {
      await fleet.stop();
      await healCluster();
    }
  },
};

/** Each edge's /readyz checks. */
async function readiness(adminPorts: readonly number[]): Promise<Record<string, boolean>[]> {
  return await Promise.all(adminPorts.map(async (port) => {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return (await response.json()).checks as Record<string, boolean>;
  }));
}

/** Cluster fault 3 (see its name). */
export const inSyncQuorumLoss: ClusterFault = {
  name:
    "cluster fault 3: with two of three brokers stopped nothing is acked, the edges answer OVERLOADED with a hint and say why; afterwards everything drains",
  async fn() {
    // A small bound, so that the edges reach it within seconds of the outage.
    const { fleet, traffic } = await clusterFleet({ VELTRIX_MAX_PENDING_EVENTS: "150" });
    const probe = await IngestClient.connect(fleet.clientUrl, await playerToken(`quorum-probe-${crypto.randomUUID()}`));
    const probeIds: string[] = [];
    try {
      const report = await runFault("3. in-sync quorum lost", traffic, async (senders) => {
        const outage = performance.now();
        await stopNode(NODES, 2, "SIGTERM");
        await stopNode(NODES, 3, "SIGKILL"); // The controller quorum is gone too: no controlled shutdown.
        const adminPorts = fleet.edges.map((edge) => edge.adminPort);
        let checks = await readiness(adminPorts);
        while (checks.some((c) => c["kafka accepting writes"] !== false)) {
          assert.ok(
            performance.now() - outage < 45_000,
            `edges never reported Kafka unwritable: ${JSON.stringify(checks)}`,
          );
          await pause(100);
          checks = await readiness(adminPorts);
        }
        const unwritableAfterMs = Math.round(performance.now() - outage);
        const ackedAtOutage = senders.ackedIds.size;

        // Past the bound, new events are refused with OVERLOADED and a retry hint.
        let sequence = 0;
        while (![...probe.rejected.values()].some((r) => r.code === "OVERLOADED")) {
          assert.ok(performance.now() - outage < 60_000, "no OVERLOADED within 60 s of the outage");
          const events = Array.from({ length: 20 }, () => ({ id: `probe-${sequence++}`, type: "treasure.collected" }));
          probeIds.push(...events.map((event) => event.id));
          probe.sendJson(events);
          await probe.waitFor(() => probe.rejected.size > 0, 500).catch(() => {});
        }
        const overloaded = probe.replies.flatMap((r) => r.rejects ?? []).find((r) => r.code === "OVERLOADED")!;
        assert.ok((overloaded.retryAfterMs ?? 0) > 0, "OVERLOADED carries a retry hint");
        await pause(3_000);
        assert.equal(senders.ackedIds.size, ackedAtOutage, "no event is acked while min.insync.replicas cannot be met");
        const outageMs = Math.round(performance.now() - outage);

        await startNode(NODES, 2);
        await startNode(NODES, 3);
        await Promise.all(clusterNodes(NODES).map((node) => waitNodeAnswers(NODES, node)));
        await waitInSync(NODES, 120_000);
        return {
          stopped: [2, 3],
          unwritableAfterMs,
          outageMs,
          overloadedRetryAfterMs: overloaded.retryAfterMs,
          readyzChecks: checks[0],
          recoveredMs: Math.round(performance.now() - outage),
        };
      });
      assertNothingLost(report, traffic);
      // Every event of the probe was either refused (OVERLOADED) or, once Kafka was back, acked.
      await probe.waitFor(() => probeIds.every((id) => probe.acked.has(id) || probe.rejected.has(id)), 60_000);
      assert.ok([...probe.rejected.values()].every((r) => r.code === "OVERLOADED"));
    } finally {
      await probe.close();
      await fleet.stop();
      await healCluster();
    }
  },
};
