/**
 * `deno task bench:tenants --pool FILE...`: the rounds of several runs (their `tenants-<time>.json`)
 * taken together. One run's seven rounds of a mode give a median p99 that moves by a tenth or more
 * from run to run on a small machine; the median over every round of several runs is steadier.
 * Pure but for reading the files.
 *
 * @module
 */
import { round } from "../quantile.ts";
import { type RatioInterval, ratioInterval } from "./ratio_interval.ts";
import { spread, type TenantRun } from "./tenant_report.ts";
import { type Mode, MODES } from "./tenant_settings.ts";

/** One mode of one lane mode over the pooled runs. */
export interface PooledMode {
  readonly rounds: number;
  /** Median of the quiet tenant's round p99s over every pooled round of the mode, in ms. */
  readonly medianP99Ms: number;
  /** That median over the alone mode's. */
  readonly overAlone: number;
  /** Each run's own ratio (its median p99 over its alone median), in the order given. */
  readonly perRun: readonly number[];
  /** The p99 over every sample of every pooled round against alone's, with its 90% interval; absent unless every round has a histogram. */
  readonly samples?: RatioInterval;
}

/** Every pooled run's rounds of one produce-lane mode. */
export interface PooledLanes {
  readonly lanes: string;
  readonly runs: number;
  readonly modes: Record<Mode, PooledMode>;
}

/** Pools the rounds of `runs` per produce-lane mode and mode (the lower median, as each run's summary takes it). */
export function poolRuns(runs: readonly TenantRun[]): PooledLanes[] {
  const laneNames = [...new Set(runs.flatMap((run) => run.lanes.map((l) => l.lanes)))];
  return laneNames.map((lanes) => {
    const of = runs.flatMap((run) => run.lanes.filter((l) => l.lanes === lanes));
    const p99s = (rounds: readonly { mode: Mode; quiet: { latencyMs: { p99: number } } }[], mode: Mode) =>
      rounds.filter((r) => r.mode === mode).map((r) => r.quiet.latencyMs.p99);
    const pooledAlone = spread(of.flatMap((l) => p99s(l.rounds, "alone"))).median;
    const histograms = (mode: Mode) =>
      of.flatMap((l) => l.rounds.filter((r) => r.mode === mode).map((r) => r.quiet.histogram));
    const modes = {} as Record<Mode, PooledMode>;
    for (const mode of MODES) {
      const all = of.flatMap((l) => p99s(l.rounds, mode));
      const median = spread(all).median;
      const perRun = of.map((l) => round(spread(p99s(l.rounds, mode)).median / spread(p99s(l.rounds, "alone")).median));
      const samples = ratioInterval(histograms(mode), histograms("alone"));
      modes[mode] = {
        rounds: all.length,
        medianP99Ms: round(median),
        overAlone: round(median / pooledAlone),
        perRun,
        ...(samples ? { samples } : {}),
      };
    }
    return { lanes, runs: of.length, modes };
  });
}

/** The pooled figures as a Markdown table, with the files they came from. */
export function renderPooled(pooled: readonly PooledLanes[], files: readonly string[]): string {
  const rows = pooled.flatMap((p) =>
    MODES.map((mode) => {
      const m = p.modes[mode];
      const samples = m.samples ? `${m.samples.ratio} (${m.samples.low}-${m.samples.high})` : "-";
      return `| ${p.lanes} | ${mode} | ${m.rounds} | ${m.medianP99Ms} | ${m.overAlone} | ${samples} | ${
        m.perRun.join(", ")
      } |`;
    })
  );
  return [
    `Pooled rounds of ${files.length} run(s): ${files.join(", ")}`,
    "",
    "| lanes | mode | rounds | median round p99 ms | × alone | all samples' p99 × alone (90% interval) | each run's × alone |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** Reads each file as a run and prints the pooled table. */
export async function printPooled(files: readonly string[]): Promise<void> {
  if (files.length === 0) throw new Error("--pool takes one or more tenants-<time>.json files");
  const runs = await Promise.all(files.map(async (f) => JSON.parse(await Deno.readTextFile(f)) as TenantRun));
  console.log(renderPooled(poolRuns(runs), files));
}
