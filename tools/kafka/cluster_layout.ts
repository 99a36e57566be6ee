/**
 * The local cluster's layout: which ports each node listens on, the controller quorum, the
 * replication settings, and each node's `server.properties` from the `cluster.properties` template.
 *
 * @module
 */

/** First client (PLAINTEXT) port; node `i` (from 1) listens on `BROKER_BASE_PORT + i - 1`. */
export const BROKER_BASE_PORT = 19092;
/** First controller port; node `i` listens on `CONTROLLER_BASE_PORT + i - 1`. */
export const CONTROLLER_BASE_PORT = 19192;

/** One node of the local cluster. */
export interface ClusterNode {
  readonly id: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
  /** `127.0.0.1:brokerPort` */
  readonly address: string;
}

/** The nodes of an `n`-node cluster, ids 1 to `n`. */
export function clusterNodes(n: number): ClusterNode[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    brokerPort: BROKER_BASE_PORT + i,
    controllerPort: CONTROLLER_BASE_PORT + i,
    address: `127.0.0.1:${BROKER_BASE_PORT + i}`,
  }));
}

/** The bootstrap list clients use: every node's client address, comma-separated (`KAFKA_BROKERS`). */
export function clusterBootstrap(n: number): string {
  return clusterNodes(n).map((node) => node.address).join(",");
}

/** Copies of each partition: 3, or every node when there are fewer. */
export function replicationFactorOf(n: number): number {
  return Math.min(3, n);
}

/** In-sync replicas a write needs: one less than the copies, so that one node may be down; at least 1. */
export function minInSyncOf(n: number): number {
  return Math.max(1, replicationFactorOf(n) - 1);
}

/** `node`'s server.properties: `template` with its placeholders filled in. */
export function nodeProperties(template: string, n: number, node: ClusterNode, logDir: string): string {
  const voters = clusterNodes(n).map((v) => `${v.id}@127.0.0.1:${v.controllerPort}`).join(",");
  return template
    .replaceAll("@NODE_ID@", String(node.id))
    .replaceAll("@BROKER_PORT@", String(node.brokerPort))
    .replaceAll("@CONTROLLER_PORT@", String(node.controllerPort))
    .replaceAll("@VOTERS@", voters)
    .replaceAll("@LOG_DIR@", logDir)
    .replaceAll("@REPLICATION_FACTOR@", String(replicationFactorOf(n)))
    .replaceAll("@MIN_ISR@", String(minInSyncOf(n)));
}
