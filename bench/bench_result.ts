/**
 * The shape of a benchmark run's results, as written to `bench/results/<timestamp>.json` and read
 * back by the report.
 *
 * @module
 */
import type { MachineLoad } from "./machine_load.ts";

/** Ack-latency percentiles in ms, and how many events they cover. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One measured step of one scenario: a row of the summary table. */
export interface BenchRow {
  /** `steady`, `scale-out`, `route-storm`, `ceiling`, `many-players` or `route-apply`. */
  readonly scenario: string;
  /** What this row is, e.g. `10000 ev/s` or `kafkajs producer`. */
  readonly label: string;
  readonly connections?: number;
  /** Offered events per second (open loop); absent for closed-loop ceilings that run flat out. */
  readonly offeredRate?: number;
  /** Acked events (or records) per second over the measured window. */
  readonly achievedRate: number;
  readonly sent: number;
  readonly acked: number;
  readonly rejected?: number;
  /** Sent, but neither acked nor rejected by the end of the drain. */
  readonly unanswered?: number;
  /** Acked, but not found when the topics were read back. Absent where nothing was read back. */
  readonly lost?: number;
  readonly latencyMs: Omit<LatencySummary, "count"> & { count?: number };
  readonly edge?: {
    readonly rssMb: number;
    readonly rssMaxMb: number;
    readonly cpuPercent: number;
    /** CPU time over wall time in cores, unrounded; absent in runs from before it was recorded. */
    readonly cpuCores?: number;
    readonly eventLoopDelayP99Ms: number;
  };
  readonly routeApplyP99Ms?: number;
  /**
   * How late the load generator itself sent events against their schedule, p99 in ms. Latency is
   * measured from the schedule, so this lag is counted against the edge: when it is large, the
   * generator, not the edge, was short of CPU.
   */
  readonly generatorLagP99Ms?: number;
  /** True when this row keeps the SLA: p99 under 100 ms, nothing lost, achieved ≥ 95% of offered. */
  readonly meetsSla?: boolean;
  readonly notes?: string;
}

/** A whole `deno task bench` run. */
export interface BenchRun {
  readonly startedAt: string;
  readonly quick: boolean;
  readonly machine: Record<string, string | number>;
  /** Load average before and after, and CPU other processes used meanwhile (`machine_load.ts`). */
  readonly machineLoad?: MachineLoad;
  /** Whether this run replaced `latest.*`, and why (not). */
  readonly latest?: { readonly writeLatest: boolean; readonly why: string };
  readonly settings: Record<string, unknown>;
  readonly rows: readonly BenchRow[];
  /** Headline figures: highest rate holding the SLA, ceilings, ratios, targets. */
  readonly summary: Record<string, number | string | boolean | null>;
  readonly durationS: number;
}

/**
 * Edge CPU per acked event in µs, from `/proc` over the measured window: CPU time over acked events
 * (undefined without an edge sample or acks).
 */
export function cpuUsPerEvent(row: Pick<BenchRow, "edge" | "achievedRate">): number | undefined {
  if (!row.edge || !(row.achievedRate > 0)) return undefined;
  const cores = row.edge.cpuCores ?? row.edge.cpuPercent / 100;
  return Math.round(cores * 1e6 / row.achievedRate * 10) / 10;
}
