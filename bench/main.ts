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
import { makeStormKey, runRouteStorm } from "./route_storm.ts";
import { countLost, readIds } from "./topic_readback.ts";
import { ceilingsScenario } from "./ceilings_scenario.ts";
import { renderTable } from "./report.ts";
import { routeApplyInOwnProcess } from "./route_apply.ts";
import { kafkaUp } from "../tools/kafka/kafka.ts";
import { MIX_TOPICS } from "./treasure_hunt_mix.ts";
import { remoteTarget } from "./remote_target.ts";
import { quantile, round } from "./quantile.ts";
import { drained, holdsSla } from "./load_checks.ts";
import { schemaScenario } from "./schema_scenario.ts";
import { batchedScenario } from "./batched_scenario.ts";
import { benchSettings, isFullRun } from "./bench_settings.ts";
import {
  busyReasons,
  foreignCpu,
  latestVerdict,
  type MachineLoad,
  readLoadAverage,
  snapshotProcesses,
} from "./machine_load.ts";

const { opts, quick, settings } = benchSettings(Deno.args);
const brokers = opts.brokers ?? Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092";
if (!opts.brokers && !Deno.env.get("KAFKA_BROKERS")) await kafkaUp();

const loadBefore = await readLoadAverage();
const processesBefore = await snapshotProcesses();
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

async function stormScenario(bestRate: number): Promise<void> {
  const rate = quick ? 1000 : Math.max(1000, Math.round(bestRate / 2 / 1000) * 1000);
  const key = await makeStormKey();
  const edge = await startWarmEdge(rate, key.trustEntry);
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
      const s = step(edge.ingestUrl, rate, settings.connections, { durationS: quick ? settings.durationS : 8 });
      let storm;
      if (phase === "storm") {
        const startAt = Date.now() + 300;
        storm = runRouteStorm(edge.adminUrl, key, {
          perSecond: settings.stormPerSecond,
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
      pendingRows.push(
        rowOf("route-storm", `${rate} ev/s, #${i + 1} ${phase === "storm" ? "10 updates/s" : "no updates"}`, rate, r, {
          meetsSla: holdsSla(r, rate),
          ...(stormReport
            ? {
              routeApplyP99Ms: quantile(phaseApplyMs, 0.99),
              notes: `${stormReport.applied}/${stormReport.posted} updates applied, POST p99 ${
                quantile(stormReport.postMs, 0.99)
              } ms`,
            }
            : {}),
        }),
      );
      await drained(edge);
    }
    const median = (values: number[]) => quantile(values, 0.5);
    summary.stormRate = rate;
    summary.stormP99Median = median(p99.storm);
    summary.noStormP99Median = median(p99.none);
    summary.stormP99Change = round(median(p99.storm) / median(p99.none) - 1);
    summary.stormApplyP99Ms = quantile(applyMs, 0.99);
  } finally {
    await edge.stop();
  }
}

async function playersScenario(): Promise<void> {
  let held = 0, connected = 0;
  for (const players of settings.players) {
    const edge = await startWarmEdge(1000);
    try {
      const idle = await edge.rssBytes();
      progress(`many players: ${players} connections at 1 ev/s each`);
      let r: LoadStepResult;
      try {
        r = await runLoadStep(
          step(edge.ingestUrl, players, players, {
            durationS: quick ? 4 : 12,
            warmupS: quick ? 1 : 3,
            // One generator process per 8,000 players: one process sending and reading 19,000 sockets
            // falls behind its own schedule (its lag counted against the edge) while the edge idles.
            workers: Math.max(settings.workers, Math.ceil(players / 8000)),
          }),
          edge,
        );
      } catch (error) {
        // A generator that could not run at all (it died connecting): the run keeps what it has.
        progress(`many players: ${players} could not run: ${(error as Error).message}`);
        summary[`playersFailedAt`] = players;
        break;
      }
      const perConnectionKb = Math.round((r.edgeRssConnectedBytes! - idle) / players / 1024 * 10) / 10;
      const ok = holdsSla(r, players) && r.closedEarly === 0;
      if (ok) held = players;
      const allServed = r.connectFailed === 0 && r.closedEarly === 0 && r.unanswered === 0;
      if (allServed) connected = players;
      pendingRows.push(rowOf("many-players", `${players} players × 1 ev/s`, players, r, {
        meetsSla: ok,
        notes: `edge RSS idle ${Math.round(idle / 1048576)} MB, connected ${
          Math.round(r.edgeRssConnectedBytes! / 1048576)
        } MB: ${perConnectionKb} KB per connection`,
      }));
      summary[`rssKbPerConnection@${players}`] = perConnectionKb;
      // Go on past an SLA miss and unanswered events, up to the most the open-file limit fits: the
      // question is also how many connections the machine holds at all. Stop only when connections
      // could not even be opened (more would fail too).
      if (r.connectFailed > 0) break;
    } finally {
      await edge.stop();
    }
  }
  summary.mostPlayersHoldingSla = held;
  summary.mostPlayersServed = connected;
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
if (settings.scenarios.includes("storm")) await stormScenario(best || settings.rates[0]!);
if (settings.scenarios.includes("ceilings")) {
  const ceilings = await ceilingsScenario({ brokers, quick, connections: settings.connections, step, progress });
  rows.push(...ceilings.rows);
  Object.assign(summary, ceilings.summary);
}
if (settings.scenarios.includes("players")) await playersScenario();
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
const foreign = foreignCpu(processesBefore, await snapshotProcesses(), Deno.pid);
const machineLoad: MachineLoad = {
  before: loadBefore,
  after: await readLoadAverage(),
  foreignCpuS: foreign.seconds,
  foreignTop: foreign.top,
  durationS,
};
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
