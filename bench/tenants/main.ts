/**
 * `deno task bench:tenants`: does one tenant's traffic change another's ack latency on one edge?
 * Per produce-lane mode (`--lanes`, `VELTRIX_PRODUCE_LANES`) it starts one edge, posts a signed map
 * with the tenants `flood` (its quota) and `quiet` (generous), each with its own topic prefix, and
 * starts two client processes: the quiet tenant's client and the other tenant's generator
 * (`tenant_client.ts`), each pinned where `--placement` says (`cpu_placement.ts`). Then it runs
 * rounds of the three modes (alone, neighbour within quota, flooding), interleaved, and reports
 * per mode the spread of the quiet tenant's round p99s against alone, counts per tenant, the
 * flood's offered and acked rate, and the edge's CPU. It asserts nothing on timing; it exits 1 if
 * a quiet event was refused or left unanswered. Results: `tenant_report.ts`; where they go: `--help`.
 *
 * @module
 */
import { kafkaUp } from "../../tools/kafka/kafka.ts";
import { type EdgeUnderTest, startEdgeUnderTest } from "../edge_under_test.ts";
import { drained } from "../load_checks.ts";
import { describeMachine } from "../machine.ts";
import { busyReasons, latestVerdict, machineBefore, machineLoadSince, parseProcStat } from "../machine_load.ts";
import { resultsJson, writeRunFiles } from "../results_writer.ts";
import { makeStormKey, signedMapBytes } from "../route_storm.ts";
import { defaultOut } from "../bench_settings.ts";
import { textLines } from "../text_lines.ts";
import { p99BetweenMs, tenantAckBuckets } from "./edge_ack_buckets.ts";
import { printPooled } from "./pooled_runs.ts";
import { type CpuPlacement, pinBroker, pinnedArgv, planPlacement } from "./cpu_placement.ts";
import type { RoundOrder, RoundResult } from "./tenant_client.ts";
import {
  type LaneResult,
  renderMarkdown,
  renderPooledSamples,
  renderTable,
  type RoundRecord,
  summarize,
  type TenantRun,
} from "./tenant_report.ts";
import {
  edgeOverrides,
  isFullTenantRun,
  type Mode,
  MODES,
  type TenantSettings,
  tenantSettings,
} from "./tenant_settings.ts";

const { opts, quick, settings, pool } = tenantSettings(Deno.args);
if (pool !== undefined) {
  await printPooled(pool);
  Deno.exit(0);
}
const progress = (message: string) => console.error(`bench:tenants: ${message}`);
// The machine is judged before the run starts anything, the dev broker included.
const before = await machineBefore();
progress(`load average before the run: ${before.load.one} ${before.load.five} ${before.load.fifteen}`);
const ownBroker = !opts.brokers && !Deno.env.get("KAFKA_BROKERS");
if (ownBroker) await kafkaUp();
const brokers = opts.brokers ?? Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092";
const startedAt = new Date();
const t0 = performance.now();
const run = `t${crypto.randomUUID().slice(0, 6)}`;
const jwtSecret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const CLOCK_TICKS_PER_S = 100;
const clientScript = new URL("./tenant_client.ts", import.meta.url).pathname;

/** What must be undone however the run ends: processes stopped, the broker's CPUs restored. */
const cleanups: (() => Promise<void>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch((e) => progress(`clean-up: ${e}`));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    progress(`${signal}: stopping and restoring the broker's CPUs`);
    await cleanUp();
    Deno.exit(130);
  });
}

const placement: CpuPlacement = await planPlacement(settings.placement);
cleanups.push(await pinBroker(placement, ownBroker));
const idleAvailable = await new Deno.Command("chrt", { args: ["--idle", "0", "true"], stdout: "null", stderr: "null" })
  .output().then((o) => o.success, () => false);
const placementNote = placement.note +
  (idleAvailable ? "; the other tenant's generator under SCHED_IDLE (chrt --idle 0)" : "");
progress(placementNote);
if (placement.broker) progress(`broker: ${JSON.stringify(placement.broker)}`);

/**
 * The dev broker's CPU seconds so far (all its threads), NaN when its pid is unknown. Other work on
 * the machine that writes to the same broker shows here, not in the foreign CPU.
 */
async function brokerCpuSeconds(): Promise<number> {
  const broker = placement.broker;
  if (broker === undefined || !("pid" in broker)) return NaN;
  return parseProcStat(await Deno.readTextFile(`/proc/${broker.pid}/stat`)).ticks / CLOCK_TICKS_PER_S;
}

/**
 * A client process of `tenant_client.ts`, pinned to its CPUs. The other tenant's generator runs
 * under `SCHED_IDLE` (`chrt --idle 0`, when util-linux `chrt` works): in production its players are
 * on other machines, so where it shares a CPU (`--placement split`) it must take only what the quiet
 * client and the broker leave idle. Unlike `nice -n 19`, which still runs a task to the end of its
 * slice when they wake, the kernel preempts an idle-policy task at once for any normal one, also
 * across autogroups (sessions), where nice values count for nothing.
 */
async function startClient(url: string, tenant: string, connections: number, background = false) {
  const [command, ...args] = pinnedArgv(background ? placement.generatorCpus : placement.quietCpus, [
    ...(background && idleAvailable ? ["chrt", "--idle", "0"] : []),
    Deno.execPath(),
    "run",
    "--allow-all",
    clientScript,
    `--url=${url}`,
    `--tenant=${tenant}`,
    `--connections=${connections}`,
    `--run=${run}-${tenant}`,
  ]);
  const child = new Deno.Command(command!, {
    args,
    env: { VELTRIX_JWT_SECRET: jwtSecret },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = textLines(child.stdout);
  const writer = child.stdin.getWriter();
  const next = async <T>(key: string): Promise<T> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the ${tenant} client exited`);
    return JSON.parse(value)[key] as T;
  };
  const stop = async () => {
    await writer.write(new TextEncoder().encode(`${JSON.stringify({ quit: true })}\n`)).catch(() => {});
    await writer.close().catch(() => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await child.status;
    clearTimeout(timer);
  };
  cleanups.push(stop);
  await next<number>("connected");
  return {
    async run(order: RoundOrder): Promise<RoundResult> {
      await writer.write(new TextEncoder().encode(`${JSON.stringify(order)}\n`));
      return await next<RoundResult>("result");
    },
    stop,
  };
}

/** The map: every event to `bench.tenants`, under each tenant's own prefix. */
async function postTenantMap(edge: EdgeUnderTest, key: Awaited<ReturnType<typeof makeStormKey>>) {
  const response = await fetch(`${edge.adminUrl}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: await signedMapBytes(key, {
      version: 2n,
      routes: [{ name: "all", match: "*", targets: [{ topic: "bench.tenants" }] }],
      tenants: [
        { name: "flood", eventsPerSecond: settings.floodQuota, topicPrefix: "flood." },
        { name: "quiet", eventsPerSecond: settings.quietQuota, topicPrefix: "quiet." },
      ],
    }),
  });
  if (response.status !== 200) throw new Error(`the tenant map was refused: ${await response.text()}`);
}

/** The edge's `/metrics` text. */
async function metricsText(edge: EdgeUnderTest): Promise<string> {
  return await (await fetch(`${edge.adminUrl}/metrics`)).text();
}

/**
 * The edge's `veltrix_kafka_producers` gauge: how many Kafka producers it writes events through
 * (one per lane with `VELTRIX_PRODUCE_LANES=tenant`); null from an edge that does not report it.
 */
async function kafkaProducers(edge: EdgeUnderTest): Promise<number | null> {
  const text = await metricsText(edge);
  const match = /^veltrix_kafka_producers(?:\{[^}]*\})? ([\d.eE+-]+)$/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** The order of the modes in repetition `r`: rotated, so that each follows each other in time. */
function orderOf(r: number): Mode[] {
  return MODES.map((_, i) => MODES[(i + r) % MODES.length]!);
}

/** One edge with `VELTRIX_PRODUCE_LANES=lanes`, and every round against it. */
async function runLane(lanes: string, s: TenantSettings): Promise<LaneResult> {
  const key = await makeStormKey("bench-tenants");
  progress(`lanes=${lanes}: starting the edge`);
  const edge = await startEdgeUnderTest({
    brokers,
    jwtSecret,
    trustedKeys: key.trustEntry,
    launcher: pinnedArgv(placement.edgeCpus, []),
    extraEnv: {
      VELTRIX_TENANT_CLAIM: "game",
      VELTRIX_PRODUCE_LANES: lanes,
      // The edge's defaults, which the bench's edge lifts: the generator stays under them.
      VELTRIX_RATE_PER_CONNECTION: "500",
      VELTRIX_RATE_PER_PLAYER: "1000",
    },
  });
  cleanups.push(() => edge.stop());
  await postTenantMap(edge, key);
  const quiet = await startClient(edge.ingestUrl, "quiet", 1);
  const other = await startClient(edge.ingestUrl, "flood", s.generatorConnections, true);
  const orderFor = (mode: Mode, name: string, durationS: number, startAt: number) => ({
    quiet: { round: name, startAt, durationS, rate: s.quietRate, frameEvents: 1 },
    other: mode === "alone" ? undefined : {
      round: name,
      startAt,
      durationS,
      rate: mode === "flooding" ? s.floodRate : s.neighbourRate,
      frameEvents: mode === "flooding" ? s.floodFrameEvents : s.neighbourFrameEvents,
    },
  });
  const measure = async (mode: Mode, name: string, durationS: number) => {
    const orders = orderFor(mode, name, durationS, Date.now() + 200);
    const cpuBefore = await edge.cpuSeconds();
    const brokerBefore = await brokerCpuSeconds();
    const ackBefore = tenantAckBuckets(await metricsText(edge), "quiet");
    const wallBefore = performance.now();
    const [q, o] = await Promise.all([quiet.run(orders.quiet), orders.other ? other.run(orders.other) : undefined]);
    const edgeCpuS = await edge.cpuSeconds() - cpuBefore;
    const brokerCpuS = await brokerCpuSeconds() - brokerBefore;
    const edgeQuietP99Ms = p99BetweenMs(ackBefore, tenantAckBuckets(await metricsText(edge), "quiet"));
    const wallS = (performance.now() - wallBefore) / 1000;
    await drained(edge);
    await new Promise((resolve) => setTimeout(resolve, s.gapS * 1000));
    return { quiet: q, other: o, edgeQuietP99Ms, edgeCpuS, brokerCpuS, wallS };
  };
  const rounds: RoundRecord[] = [];
  let producers: number | null = null;
  try {
    await measure("neighbour", "warm", s.warmupS);
    for (let r = 0; r < s.rounds; r++) {
      for (const mode of orderOf(r)) {
        const m = await measure(mode, `${lanes}-${r}-${mode}`, s.roundS);
        const { other: o, ...rest } = m;
        rounds.push({ repetition: r + 1, mode, ...rest, ...(o ? { other: o } : {}) });
        progress(
          `lanes=${lanes} round ${
            r + 1
          } ${mode}: quiet ${m.quiet.acked}/${m.quiet.sent} acked, p99 ${m.quiet.latencyMs.p99} ms` +
            (m.other ? `; other ${m.other.sent} sent, ${m.other.acked} acked, ${m.other.rejected} refused` : ""),
        );
      }
    }
    producers = await kafkaProducers(edge);
  } finally {
    await quiet.stop();
    await other.stop();
    await edge.stop();
  }
  return { lanes, kafkaProducers: producers, rounds, modes: summarize(rounds, s.roundS) };
}

const results: LaneResult[] = [];
try {
  for (const lanes of settings.lanes) results.push(await runLane(lanes, settings));
} finally {
  await cleanUp();
}

const durationS = Math.round((performance.now() - t0) / 1000);
const machineLoad = await machineLoadSince(before, durationS);
const edgeEnv = edgeOverrides(Deno.env.toObject());
const full = isFullTenantRun(quick, settings) && ownBroker && Object.keys(edgeEnv).length === 0;
const verdict = !quick && !full
  ? {
    writeLatest: false,
    why:
      "only a full run (default settings, both lane modes, the dev broker, no VELTRIX_* variable set) replaces tenants-latest.*",
  }
  : latestVerdict({ quick, full }, busyReasons(machineLoad));
const report: TenantRun = {
  startedAt: startedAt.toISOString(),
  quick,
  durationS,
  machine: { ...await describeMachine(), note: placementNote },
  machineLoad,
  latest: verdict,
  placement: { ...placement, note: placementNote },
  settings,
  edgeEnv,
  lanes: results,
};
console.log([...renderPooledSamples(report), renderTable(report)].join("\n"));
const out = opts.out ?? (verdict.writeLatest ? defaultOut(false) : defaultOut(true));
const written = await writeRunFiles(
  out,
  { startedAt: report.startedAt, latest: verdict.writeLatest, prefix: "tenants-" },
  { json: () => resultsJson(report), md: () => renderMarkdown(report) },
);
progress(`took ${durationS} s; results: ${written.join(", ")}`);
progress(verdict.writeLatest ? "tenants-latest.* replaced" : `tenants-latest.* NOT replaced: ${verdict.why}`);
const quietMissed = results.some((l) => l.rounds.some((r) => r.quiet.acked !== r.quiet.sent));
if (quietMissed) progress("a quiet tenant's event was refused or left unanswered");
Deno.exit(quietMissed ? 1 : 0);
