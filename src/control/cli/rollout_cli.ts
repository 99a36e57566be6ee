/**
 * The rollout half of the ops CLI: `routes status` (every edge and the version it has in force)
 * and `routes push --wait` (waits until every live edge reports the pushed version, and fails
 * naming the edges that refused it or did not get it in time). Both read `GET /v1/fleet`.
 *
 * @module
 */
import type { EdgeStatus } from "../../core/fleet/edge_status.ts";
import { rolloutProgress } from "../../core/fleet/fleet_view.ts";

/** An edge as `GET /v1/fleet` answers it. */
export type FleetEdgeJson = EdgeStatus & { readonly heartbeatAgeMs: number };

/** The body of `GET /v1/fleet`. */
export interface FleetAnswer {
  readonly staleMs: number;
  readonly live: readonly FleetEdgeJson[];
  readonly gone: readonly FleetEdgeJson[];
}

/** Reads a duration such as `30s`, `500ms`, `2m` or `45` (seconds) into ms; undefined when it is none. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) return undefined;
  const value = Number(match[1]);
  return Math.round(match[2] === "ms" ? value : match[2] === "m" ? value * 60_000 : value * 1000);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The fleet as a table an operator reads at a glance: one line per edge, live ones first. */
export function fleetTable(answer: FleetAnswer): string[] {
  const rows = [
    ...answer.live.map((e) => ({ e, state: "live" })),
    ...answer.gone.map((e) => ({ e, state: "gone" })),
  ].map(({ e, state }) => [
    e.edgeId,
    state,
    e.version,
    e.canary === undefined ? "-" : `${e.canary.version} (${e.canary.cohort})`,
    `${e.appliedAt.slice(0, 19)}Z`,
    e.source,
    `${seconds(e.heartbeatAgeMs)} ago`,
    e.refused ? `v${e.refused.version || "?"} ${e.refused.code}: ${e.refused.reason}` : "-",
  ]);
  const header = ["EDGE", "STATE", "VERSION", "CANARY", "APPLIED", "FROM", "HEARTBEAT", "LAST REFUSED"];
  return [
    ...aligned(header, rows),
    `${answer.live.length} live, ${answer.gone.length} gone (no heartbeat for ${seconds(answer.staleMs)})`,
  ];
}

/** Lines of cells padded into columns; the last column is not padded. */
function aligned(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}

/**
 * Per-version counts of events routed, rejected and dead-lettered: one line per live edge and
 * version it has in force, then the fleet's total per version, stable and canary side by side.
 */
export function countsTable(answer: FleetAnswer): string[] {
  const totals = new Map<string, { role: string; routed: number; rejected: number; deadLettered: number }>();
  const rows: string[][] = [];
  for (const edge of answer.live) {
    for (const c of edge.counts ?? []) {
      rows.push([edge.edgeId, c.version, c.role, String(c.routed), String(c.rejected), String(c.deadLettered)]);
      const key = `${c.version} ${c.role}`;
      const total = totals.get(key) ?? { role: c.role, routed: 0, rejected: 0, deadLettered: 0 };
      total.routed += c.routed;
      total.rejected += c.rejected;
      total.deadLettered += c.deadLettered;
      totals.set(key, total);
    }
  }
  if (rows.length === 0) return [];
  for (const [key, t] of totals) {
    rows.push(["(fleet)", key.split(" ")[0]!, t.role, String(t.routed), String(t.rejected), String(t.deadLettered)]);
  }
  return ["", ...aligned(["EDGE", "VERSION", "ROLE", "ROUTED", "REJECTED", "DEAD-LETTERED"], rows)];
}

/** What waiting for a rollout needs. */
export interface RolloutWait {
  readonly version: bigint;
  readonly timeoutMs: number;
  readonly readFleet: () => Promise<FleetAnswer>;
  readonly out: (line: string) => void;
  /** @default 250 */
  readonly pollMs?: number;
}

/**
 * Polls the fleet until every live edge has `version` in force (0), any live edge refused it, or
 * the timeout passes (1); the failure names each edge and its reason.
 */
export async function waitForRollout(wait: RolloutWait): Promise<number> {
  const started = Date.now();
  const { version, out } = wait;
  wait.out(`waiting for version ${version} on every live edge (timeout ${seconds(wait.timeoutMs)})`);
  for (;;) {
    const fleet = await wait.readFleet();
    const progress = rolloutProgress(fleet.live, version);
    const elapsed = seconds(Date.now() - started);
    const count = `${progress.converged.length}/${fleet.live.length} live edges`;
    if (progress.done) {
      out(`version ${version} is in force on ${count} after ${elapsed}: ${names(progress.converged)}`);
      return 0;
    }
    const timedOut = Date.now() - started >= wait.timeoutMs;
    if (progress.refused.length > 0 || timedOut) {
      out(`rollout of version ${version} FAILED after ${elapsed}: ${count} have it`);
      for (const edge of progress.refused) {
        out(`  ${edge.edgeId}: refused it: ${edge.refused!.code}: ${edge.refused!.reason}`);
      }
      for (const edge of progress.pending) {
        out(`  ${edge.edgeId}: still on version ${edge.version} (${timedOut ? "timed out" : "pending"})`);
      }
      if (progress.converged.length > 0) out(`  in force on: ${names(progress.converged)}`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? 250));
  }
}

function names(edges: readonly EdgeStatus[]): string {
  return edges.map((e) => e.edgeId).join(", ");
}
