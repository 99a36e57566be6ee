/**
 * `deno task bench`: the load benchmark. Edges, load generators and reference ceilings run in
 * their own processes against the real broker: a steady ladder to saturation (JSON and protobuf
 * frames, one edge and two, and `--target URL`: an edge or balancer the benchmark did not start),
 * a route storm, the ceilings (Kafka's own producer, a bare producer of each Kafka client, a bare
 * WebSocket sink), many players, payload schemas off and on, and route-update apply times. Topics
 * are read back to count lost events; results go to stdout and `bench/results/` (`--out`
 * elsewhere). Options and scenarios: docs/benchmark.md and `bench_settings.ts`. Exits 1 if an
 * acked event was lost or a step left events unanswered.
 *
 * @module
 */
import { type BenchRow, type BenchRun, cpuUsPerEvent } from "./bench_result.ts";
import type { EdgeUnderTest } from "./edge_under_test.ts";
import { startEdgeGroup } from "./edge_group.ts";
import { writeResults } from "./results_writer.ts";
import { type LoadStep, type LoadStepResult, runLoadStep } from "./run_load.ts";
import { describeMachine } from "./machine.ts";
import { makeStormKey } from "./route_storm.ts";
import { stormScenario } from "./storm_scenario.ts";
import { playersScenario } from "./players_scenario.ts";
import { countLost, readIds } from "./topic_readback.ts";
import { ceilingsScenario } from "./ceilings_scenario.ts";
import { renderTable } from "./report.ts";
import { routeApplyInOwnProcess } from "./route_apply.ts";
import { kafkaUp } from "../tools/kafka/kafka.ts";
import { MIX_TOPICS } from "./treasure_hunt_mix.ts";
import { remoteTarget } from "./remote_target.ts";
import { round } from "./quantile.ts";
import { drained, holdsSla } from "./load_checks.ts";
import { schemaScenario } from "./schema_scenario.ts";
import { batchedScenario } from "./batched_scenario.ts";
import { benchSettings, isFullRun } from "./bench_settings.ts";
import { busyReasons, latestVerdict, machineBefore, machineLoadSince } from "./machine_load.ts";

const { opts, quick, settings } = benchSettings(Deno.args);
const brokers = opts.brokers ?? Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092";
// The machine is judged before the run starts anything, the dev broker included (its start-up is the run's own load).
const before = await machineBefore();
const loadBefore = before.load;
if (!opts.brokers && !Deno.env.get("KAFKA_BROKERS")) await kafkaUp();
const startedAt = new Date();
const benchRun = `b${crypto.randomUUID().slice(0, 6)}`;
if (settings.target && !Deno.env.get("VELTRIX_JWT_SECRET")) {
  console.error("bench: --target needs VELTRIX_JWT_SECRET, the target's secret, to mint player tokens");
  Deno.exit(2);
}
const jwtSecret = Deno.env.get("VELTRIX_JWT_SECRET") ??
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const scratchDir = await Deno.makeTempDir({ prefix: "veltrix-bench-" });
const rows: BenchRow[] = [];
const summary: BenchRun["summary"] = {};
const ackedFiles: string[] = [];
const since = Date.now() - 5_000;
let stepNumber = 0;
const progress = (message: string) => console.error(`bench: ${message}`);
{
  const early = latestVerdict({ quick, full: isFullRun(quick, settings) }, busyReasons({ before: loadBefore }));
  progress(
    `load average before the run: ${loadBefore.one} ${loadBefore.five} ${loadBefore.fifteen}; ` +
      (early.writeLatest ? "latest.* will be replaced if the machine stays quiet" : `latest.* stays: ${early.why}`),
  );
}

function step(url: string, rate: number, connections: number, extra: Partial<LoadStep> = {}): LoadStep {
  return {
    url,
    rate,
    connections,
    durationS: settings.durationS,
    warmupS: settings.warmupS,
    workers: settings.workers,
    sources: settings.sources,
    jwtSecret,
    run: `${benchRun}s${stepNumber++}`,
    scratchDir,
    lingerMs: settings.lingerMs,
    ...extra,
  };
}

/** A table row from a load step against an edge; `lost` is filled in after the read-back. */
function rowOf(scenario: string, label: string, offered: number, r: LoadStepResult, extra: Partial<BenchRow> = {}) {
  ackedFiles.push(...r.ackedFiles);
  return {
    scenario,
    label,
    connections: r.connections,
    offeredRate: offered,
    achievedRate: r.achievedRate,
    sent: r.sent,
    acked: r.acked,
    rejected: r.rejected,
    unanswered: r.unanswered,
    latencyMs: r.latencyMs,
    ...(r.edge ? { edge: r.edge } : {}),
    generatorLagP99Ms: r.sendLagP99Ms,
    ...extra,
    notes: [
      Object.keys(r.rejectCodes).length > 0 ? `rejects ${JSON.stringify(r.rejectCodes)}` : "",
      r.connectFailed > 0 ? `${r.connectFailed} connections failed` : "",
      r.closedEarly > 0 ? `${r.closedEarly} connections closed early` : "",
      extra.notes ?? "",
    ].filter(Boolean).join("; ") || undefined,
    _ackedFiles: r.ackedFiles,
  };
}
type PendingRow = ReturnType<typeof rowOf>;
const pendingRows: PendingRow[] = [];

/** Acked-id files of warm-up loads: no table row, but their events are checked for loss too. */
const warmupAckedFiles: string[] = [];

/**
 * Starts an edge and warms it up (JIT, Kafka connections and partition metadata) with a short load
 * that is not measured, so the first measured step does not pay for a cold start.
 */
async function startWarmEdge(
  rate: number,
  trustedKeys?: string,
  edges = settings.edges,
  target = settings.target,
  /** The warm-up's connections and frame shape, when the scenario's differ from the steady ladder's. */
  shape: { connections?: number } & Partial<LoadStep> = {},
): Promise<EdgeUnderTest> {
  const edge = target
    ? remoteTarget(target.url, target.admin.split(",").filter(Boolean))
    : await startEdgeGroup(edges, { brokers, jwtSecret, ...(trustedKeys ? { trustedKeys } : {}) });
  const { connections = settings.connections, ...extra } = shape;
  const warm = await runLoadStep(step(edge.ingestUrl, Math.min(rate, 4000), connections, {
    durationS: quick ? 1.5 : 5,
    warmupS: 0,
    ...extra,
  }));
  warmupAckedFiles.push(...warm.ackedFiles);
  await drained(edge);
  return edge;
}

/**
 * Steady rates up to saturation. `scenario` "scale-out" runs the same ladder against two edge
 * processes sharing the client port, to show what a second core buys; "target" against `--target`.
 */
async function steadyScenario(scenario = "steady", edges = settings.edges, encoding?: "binary"): Promise<number> {
  const target = scenario === "target" ? settings.target : undefined;
  const edge = await startWarmEdge(settings.rates[0]!, undefined, edges, target);
  let best = 0, misses = 0;
  try {
    for (const rate of settings.rates) {
      progress(`${scenario} ${rate} ev/s over ${settings.connections} connections, ${edges} edge process(es)`);
      const r = await runLoadStep(step(edge.ingestUrl, rate, settings.connections, encoding ? { encoding } : {}), edge);
      const ok = holdsSla(r, rate);
      const label = `${rate} ev/s${target ? `, ${target.label}` : edges > 1 ? `, ${edges} edges` : ""}${
        encoding ? `, ${encoding} frames` : ""
      }`;
      pendingRows.push(rowOf(scenario, label, rate, r, { meetsSla: ok }));
      const perEvent = scenario === "steady"
        ? cpuUsPerEvent({ edge: r.edge, achievedRate: r.achievedRate })
        : undefined;
      if (perEvent !== undefined) summary[`cpuUsPerEvent@${rate}`] = perEvent;
      if (ok) best = rate;
      await drained(edge);
      if (!ok && (r.achievedRate < 0.9 * rate || r.latencyMs.p99 > 1_000) && ++misses >= 2) break;
    }
  } finally {
    await edge.stop();
  }
  const key = scenario === "steady" ? "" : target ? `@${target.label}` : encoding ? `@${encoding}` : `@${edges}edges`;
  summary[`highestRateHoldingSla${key}`] = best;
  return best;
}

/** Payload schemas off and on, alternating, at half the best steady rate and at it (or at `--rates`). */
async function schemasScenario(bestRate: number): Promise<void> {
  const rates = bestRate ? [Math.max(1000, Math.round(bestRate / 2000) * 1000), bestRate] : settings.rates;
  const key = await makeStormKey("bench-schemas");
  const edge = await startWarmEdge(rates[0]!, key.trustEntry);
  const measure = async (label: string, rate: number, s: LoadStep) => {
    const r = await runLoadStep(s, edge);
    pendingRows.push(rowOf("schemas", label, rate, r, { meetsSla: holdsSla(r, rate) }));
    await drained(edge);
    return r;
  };
  try {
    const figures = await schemaScenario({ ...settings, rates, quick, key, edge, step, measure, progress });
    Object.assign(summary, figures);
  } finally {
    await edge.stop();
  }
}

const t0 = performance.now();
let best = 0;
if (settings.scenarios.includes("steady")) best = await steadyScenario();
if (settings.scenarios.includes("binary")) await steadyScenario("steady-binary", settings.edges, "binary");
if (settings.scenarios.includes("scale-out")) await steadyScenario("scale-out", Math.max(2, settings.edges * 2));
if (settings.scenarios.includes("target") && settings.target) await steadyScenario("target");
if (settings.scenarios.includes("storm")) {
  Object.assign(
    summary,
    await stormScenario(best || settings.rates[0]!, {
      ...settings,
      quick,
      step,
      startEdge: (rate, trustedKeys) => startWarmEdge(rate, trustedKeys),
      edgeRow: (label, rate, r, extra) => pendingRows.push(rowOf("route-storm", label, rate, r, extra)),
      drained,
      progress,
    }),
  );
}
if (settings.scenarios.includes("ceilings")) {
  const ceilings = await ceilingsScenario({ brokers, quick, connections: settings.connections, step, progress });
  rows.push(...ceilings.rows);
  Object.assign(summary, ceilings.summary);
}
if (settings.scenarios.includes("players")) {
  Object.assign(
    summary,
    await playersScenario({
      ...settings,
      quick,
      step,
      startEdge: (rate) => startWarmEdge(rate),
      edgeRow: (label, rate, r, extra) => pendingRows.push(rowOf("many-players", label, rate, r, extra)),
      progress,
    }),
  );
}
if (settings.scenarios.includes("batched")) {
  const batched = await batchedScenario({
    quick,
    step,
    startEdge: (rate, shape) => startWarmEdge(rate, undefined, settings.edges, undefined, shape),
    edgeRow: (label, rate, r) => pendingRows.push(rowOf("batched", label, rate, r, { meetsSla: holdsSla(r, rate) })),
    drained,
    progress,
  });
  rows.push(...batched.rows);
  Object.assign(summary, batched.summary);
}
if (settings.scenarios.includes("schemas")) await schemasScenario(best);
if (settings.scenarios.includes("route-apply")) {
  progress(
    "route-update apply time at 10 to 10,000 routes (same and all-new routes), 100 schemas; own process, no load",
  );
  const applied = await routeApplyInOwnProcess(quick);
  rows.push(...applied.rows);
  Object.assign(summary, applied.summary);
}

progress("reading the topics back with kcat");
const found = await readIds(brokers, MIX_TOPICS, since, `${benchRun}s`);
let totalLost = 0, totalUnanswered = 0;
for (const pending of pendingRows) {
  const { _ackedFiles, ...row } = pending;
  const lost = (await countLost(found, _ackedFiles)).lost;
  totalLost += lost;
  totalUnanswered += row.unanswered ?? 0;
  rows.push({ ...row, lost, meetsSla: (row.meetsSla ?? false) && lost === 0 });
}
const order = [
  "steady",
  "steady-binary",
  "scale-out",
  "target",
  "route-storm",
  "schemas",
  "ceiling",
  "many-players",
  "batched",
  "route-apply",
];
rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
totalLost += (await countLost(found, warmupAckedFiles)).lost;
summary.lost = totalLost;
summary.unanswered = totalUnanswered;
summary.recordsReadBack = found.records;
summary.duplicateRecords = found.duplicates;
if (typeof summary.kafkajsRate === "number" && summary.kafkajsRate > 0) {
  const bestRow = rows.filter((r) => r.scenario === "steady").reduce((m, r) => Math.max(m, r.achievedRate), 0);
  summary.highestAchievedRate = bestRow;
  summary.achievedOverKafkajs = round(bestRow / summary.kafkajsRate);
  if (typeof summary.platformaticRate === "number" && summary.platformaticRate > 0) {
    summary.achievedOverPlatformatic = round(bestRow / summary.platformaticRate);
  }
}

const durationS = Math.round((performance.now() - t0) / 1000);
const machineLoad = await machineLoadSince(before, durationS);
const verdict = latestVerdict({ quick, full: isFullRun(quick, settings) }, busyReasons(machineLoad));
const run: BenchRun = {
  startedAt: startedAt.toISOString(),
  quick,
  machine: await describeMachine(),
  machineLoad,
  latest: verdict,
  settings,
  rows,
  summary,
  durationS,
};
console.log(renderTable(run));
const written = await writeResults(run, opts.out!, { latest: verdict.writeLatest });
progress(`results: ${written.join(", ")}`);
progress(
  verdict.writeLatest ? "latest.* replaced: a full run on a quiet machine" : `latest.* NOT replaced: ${verdict.why}`,
);
await Deno.remove(scratchDir, { recursive: true });
Deno.exit(totalLost === 0 && totalUnanswered === 0 ? 0 : 1);
