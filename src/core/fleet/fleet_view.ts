import type { EdgeStatus } from "./edge_status.ts";

/** The fleet as the status records show it at one moment. */
export interface FleetView {
  /** Edges whose heartbeat is fresh, by edge id. */
  readonly live: readonly EdgeStatus[];
  /** Edges whose last heartbeat is older than the stale limit: counted as gone. */
  readonly gone: readonly EdgeStatus[];
}

/**
 * Splits the latest record of each edge into live and gone: an edge is gone once its heartbeat is
 * more than `staleMs` old at `nowMs`.
 */
export function fleetView(statuses: Iterable<EdgeStatus>, nowMs: number, staleMs: number): FleetView {
  const live: EdgeStatus[] = [];
  const gone: EdgeStatus[] = [];
  for (const status of statuses) {
    (nowMs - Date.parse(status.heartbeatAt) > staleMs ? gone : live).push(status);
  }
  const byId = (a: EdgeStatus, b: EdgeStatus) => a.edgeId.localeCompare(b.edgeId);
  return { live: live.sort(byId), gone: gone.sort(byId) };
}

/** Where a rollout of one version stands across the live edges. */
export interface RolloutProgress {
  /** Edges with the version (or a later one) in force, as their stable map or as their canary. */
  readonly converged: readonly EdgeStatus[];
  /** Edges that refused the version and do not have it in force: the rollout has failed on them. */
  readonly refused: readonly EdgeStatus[];
  /** Edges that have not reported the version yet. */
  readonly pending: readonly EdgeStatus[];
  /** True when every live edge has the version in force (and there is at least one). */
  readonly done: boolean;
}

/** How far `version` has got across `live` edges. */
export function rolloutProgress(live: readonly EdgeStatus[], version: bigint): RolloutProgress {
  const converged: EdgeStatus[] = [];
  const refused: EdgeStatus[] = [];
  const pending: EdgeStatus[] = [];
  for (const edge of live) {
    const canary = edge.canary === undefined ? 0n : BigInt(edge.canary.version);
    if (BigInt(edge.version) >= version || canary >= version) converged.push(edge);
    else if (edge.refused !== undefined && edge.refused.version === version.toString()) refused.push(edge);
    else pending.push(edge);
  }
  return { converged, refused, pending, done: live.length > 0 && converged.length === live.length };
}
