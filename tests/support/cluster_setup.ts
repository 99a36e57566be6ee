import assert from "node:assert/strict";
import { clusterBootstrap, clusterNodes } from "../../tools/kafka/cluster_layout.ts";
import { clusterUp, nodePid, startNode, waitInSync, waitNodeAnswers } from "../../tools/kafka/kafka_cluster.ts";
import { startTestFleet, type TestFleet } from "./edge_fleet.ts";
import { CLUSTER_TRAFFIC, type FaultReport, type FaultTraffic } from "./fault_run.ts";

/** The cluster faults run on the local three-node cluster. */
export const NODES = 3;

/** Brings the three-node cluster up (a no-op when it runs) and waits until every replica is in sync. */
export async function readyCluster(): Promise<string> {
  await clusterUp(NODES);
  await waitInSync(NODES, 120_000);
  return clusterBootstrap(NODES);
}

/** Starts every node that is not running and waits until the cluster is whole and in sync again. */
export async function healCluster(): Promise<void> {
  for (const node of clusterNodes(NODES)) {
    if (await nodePid(NODES, node.id) === undefined) await startNode(NODES, node.id);
  }
  await Promise.all(clusterNodes(NODES).map((node) => waitNodeAnswers(NODES, node)));
  await waitInSync(NODES, 120_000);
}

/** A fleet of three edges behind HAProxy on the cluster, and the traffic the faults send through it. */
export async function clusterFleet(env: Record<string, string> = {}): Promise<{
  brokers: string;
  fleet: TestFleet;
  traffic: FaultTraffic;
}> {
  const brokers = await readyCluster();
  const fleet = await startTestFleet({
    brokers,
    // Short produce requests keep each phase short: a write that cannot reach the in-sync replicas
    // times out and is retried within seconds.
    env: { VELTRIX_PRODUCE_TIMEOUT_MS: "5000", ...env },
  });
  return { brokers, fleet, traffic: { ...CLUSTER_TRAFFIC, url: fleet.clientUrl, brokers } };
}

/** The promise: nothing acked is missing, everything sent was acked once the clients drained. */
export function assertNothingLost(report: FaultReport, traffic: FaultTraffic): void {
  assert.equal(report.rejected, 0, "no event was rejected for good");
  assert.equal(report.ackedMissing, 0, "every acked event is in every topic it routes to");
  assert.equal(report.neverAcked, 0, "every event sent was acked once the clients drained");
  assert.equal(report.found, report.sent, "every event sent is in Kafka");
  const seconds = (traffic.beforeMs + traffic.afterMs) / 1000;
  assert.ok(report.sent >= traffic.clients * traffic.perSecond * seconds, "traffic flowed throughout");
}

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
