/**
 * The `storm` scenario of `deno task bench`: steady load at half the best steady rate while signed
 * route updates arrive at 10 a second, in phases that alternate with phases without updates, so
 * that drift over the run (a warming edge, a busy broker) falls on both sides. The headline is the
 * median storm p99 against the median p99 without updates, and the apply p99 during the storms.
 *
 * @module
 */
import type { BenchRow } from "./bench_result.ts";
import type { EdgeUnderTest } from "./edge_under_test.ts";
import { holdsSla } from "./load_checks.ts";
import { quantile, round } from "./quantile.ts";
import { makeStormKey, runRouteStorm } from "./route_storm.ts";
import { type LoadStep, type LoadStepResult, runLoadStep } from "./run_load.ts";

/** What the storm scenario needs from the benchmark run. */
export interface StormContext {
  readonly quick: boolean;
  /** Connections of the load, as in the steady ladder. */
  readonly connections: number;
  /** Seconds of each phase in a quick run (a full run takes 8). */
  readonly durationS: number;
  /** Route updates a second during a storm phase. */
  readonly stormPerSecond: number;
  step(url: string, rate: number, connections: number, extra?: Partial<LoadStep>): LoadStep;
  /** Starts an edge that trusts `trustedKeys`, warmed up at `rate`. */
  startEdge(rate: number, trustedKeys: string): Promise<EdgeUnderTest>;
  /** Records an edge row (its events are read back for loss). */
  edgeRow(label: string, rate: number, r: LoadStepResult, extra: Partial<BenchRow>): void;
  /** Waits until the edge holds nothing for Kafka. */
  drained(edge: EdgeUnderTest): Promise<void>;
  progress(message: string): void;
}

/** Runs the phases against one edge at a rate derived from `bestRate`; returns the headline figures. */
export async function stormScenario(bestRate: number, context: StormContext): Promise<Record<string, number>> {
  const { quick, connections, durationS, stormPerSecond, step, startEdge, edgeRow, drained, progress } = context;
  const rate = quick ? 1000 : Math.max(1000, Math.round(bestRate / 2 / 1000) * 1000);
  const key = await makeStormKey();
  const edge = await startEdge(rate, key.trustEntry);
  try {
    // Phases alternate, so drift over the run (a warming edge, a busy broker) falls on both sides;
    // the change is the median storm p99 against the median p99 without updates.
    const phases: ("none" | "storm")[] = quick
      ? ["none", "storm"]
      : ["none", "storm", "none", "storm", "none", "storm"];
    let version = 2n;
    const p99: Record<"none" | "storm", number[]> = { none: [], storm: [] };
    const applyMs: number[] = [];
    for (const [i, phase] of phases.entries()) {
      progress(`route storm at ${rate} ev/s: phase ${i + 1}, ${phase === "storm" ? "10 updates/s" : "no updates"}`);
      const s = step(edge.ingestUrl, rate, connections, { durationS: quick ? durationS : 8 });
      let storm;
      if (phase === "storm") {
        const startAt = Date.now() + 300;
        storm = runRouteStorm(edge.adminUrl, key, {
          perSecond: stormPerSecond,
          startAt,
          until: startAt + s.durationS * 1000,
          firstVersion: version,
        });
      }
      const r = await runLoadStep(s, edge);
      const stormReport = await storm;
      if (stormReport) version += BigInt(stormReport.posted);
      const phaseApplyMs = stormReport ? (await edge.routeApplyMs()).slice(-stormReport.applied) : [];
      applyMs.push(...phaseApplyMs);
      p99[phase].push(r.latencyMs.p99);
      edgeRow(`${rate} ev/s, #${i + 1} ${phase === "storm" ? "10 updates/s" : "no updates"}`, rate, r, {
        meetsSla: holdsSla(r, rate),
        ...(stormReport
          ? {
            routeApplyP99Ms: quantile(phaseApplyMs, 0.99),
            notes: `${stormReport.applied}/${stormReport.posted} updates applied, POST p99 ${
              quantile(stormReport.postMs, 0.99)
            } ms`,
          }
          : {}),
      });
      await drained(edge);
    }
    const median = (values: number[]) => quantile(values, 0.5);
    return {
      stormRate: rate,
      stormP99Median: median(p99.storm),
      noStormP99Median: median(p99.none),
      stormP99Change: round(median(p99.storm) / median(p99.none) - 1),
      stormApplyP99Ms: quantile(applyMs, 0.99),
    };
  } finally {
    await edge.stop();
  }
}
