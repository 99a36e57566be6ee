/**
 * The `batched` scenario of `deno task bench`: clients that send many events a frame. 200
 * connections each send 50-event frames (runs of 50 consecutive events of the schedule go to one
 * connection) at 20,000 ev/s in all, against the edge and against the bare WebSocket sink, phases
 * alternating so that drift falls on both sides. The goals (issue 20): edge p99 under 100 ms, edge
 * RSS at most 200 MB, and the edge at 0.8 or more of the sink's rate in the same run.
 *
 * @module
 */
import type { EdgeUnderTest } from "./edge_under_test.ts";
import type { BenchRow } from "./bench_result.ts";
import { startWebSocketSink } from "./ceiling_runner.ts";
import { sinkRow } from "./ceilings_scenario.ts";
import type { LoadStep, LoadStepResult } from "./run_load.ts";
import { runLoadStep } from "./run_load.ts";
import { quantile, round } from "./quantile.ts";

/** Events a frame carries in this scenario. */
export const BATCHED_FRAME_EVENTS = 50;

/** What the batched scenario needs from the benchmark run. */
export interface BatchedContext {
  readonly quick: boolean;
  step(url: string, rate: number, connections: number, extra?: Partial<LoadStep>): LoadStep;
  /** Starts an edge warmed up with `shape`'s connections and frames. */
  startEdge(rate: number, shape: { connections: number } & Partial<LoadStep>): Promise<EdgeUnderTest>;
  /** Records an edge row (its events are read back for loss). */
  edgeRow(label: string, rate: number, r: LoadStepResult): void;
  /** Waits until the edge holds nothing for Kafka. */
  drained(edge: EdgeUnderTest): Promise<void>;
  progress(message: string): void;
}

/** Runs the phases; returns the sink rows and the headline figures (edge rows go through `edgeRow`). */
export async function batchedScenario(
  { quick, step, startEdge, edgeRow, drained, progress }: BatchedContext,
): Promise<{ rows: BenchRow[]; summary: Record<string, number> }> {
  const rate = quick ? 4000 : 20_000;
  const connections = 200;
  const shape = { maxFrameEvents: BATCHED_FRAME_EVENTS, burst: BATCHED_FRAME_EVENTS };
  const label = `${rate} ev/s, ${BATCHED_FRAME_EVENTS}-event frames`;
  const rows: BenchRow[] = [];
  const edgeRates: number[] = [], sinkRates: number[] = [], edgeP99: number[] = [], edgeRss: number[] = [];
  const edge = await startEdge(rate, { connections, ...shape });
  const sink = await startWebSocketSink();
  try {
    for (const [i, target] of (quick ? ["sink", "edge"] : ["sink", "edge", "sink", "edge"]).entries()) {
      progress(`batched frames: ${label} over ${connections} connections, phase ${i + 1} (${target})`);
      if (target === "edge") {
        const r = await runLoadStep(step(edge.ingestUrl, rate, connections, shape), edge);
        edgeRow(`${label}, #${i + 1}`, rate, r);
        edgeRates.push(r.achievedRate);
        edgeP99.push(r.latencyMs.p99);
        edgeRss.push(r.edge?.rssMaxMb ?? NaN);
        await drained(edge);
      } else {
        const r = await runLoadStep(step(sink.url, rate, connections, shape));
        sinkRates.push(r.achievedRate);
        rows.push(sinkRow(
          "batched",
          `${label}, #${i + 1} bare WebSocket sink`,
          rate,
          r,
          "the bare WebSocket sink (acks without Kafka) under the same load, for the ratio",
        ));
      }
    }
  } finally {
    await sink.stop();
    await edge.stop();
  }
  const median = (values: number[]) => quantile(values, 0.5);
  return {
    rows,
    summary: {
      batchedRate: rate,
      batchedEdgeRate: median(edgeRates),
      batchedSinkRate: median(sinkRates),
      batchedEdgeOverSink: round(median(edgeRates) / median(sinkRates)),
      batchedEdgeP99Ms: Math.max(...edgeP99),
      batchedEdgeRssMaxMb: Math.max(...edgeRss),
    },
  };
}
