/**
 * Runs one open-loop load step: starts the load-generator processes, lets them connect, starts
 * them all on one shared clock, samples the edge while they run, and merges what they measured.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import type { WorkerResult } from "./load_worker.ts";
import type { EdgeUnderTest } from "./edge_under_test.ts";
import type { LatencySummary } from "./bench_result.ts";
import { withFileLimit } from "./file_limit.ts";
import { textLines } from "./text_lines.ts";

const workerScript = new URL("./load_worker.ts", import.meta.url).pathname;

/** One load step's settings. */
export interface LoadStep {
  /** ws:// URL of the edge (or of the bare WebSocket sink). */
  readonly url: string;
  readonly connections: number;
  /** Offered events per second, over all connections. */
  readonly rate: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly drainS?: number;
  /** Generator processes; connections and rate are split evenly. */
  readonly workers: number;
  /** Source addresses in 127.0.0.0/8 the connections spread over. */
  readonly sources: readonly string[];
  readonly jwtSecret: string;
  /** Prefix of every event id of this step. */
  readonly run: string;
  /** Folder for the acked-id files. */
  readonly scratchDir: string;
  readonly lingerMs?: number;
  /** Most events in one frame (the worker's default is 100). */
  readonly maxFrameEvents?: number;
  /** Consecutive events that go to one connection, so that frames fill up (1 by default: round robin). */
  readonly burst?: number;
  /** Most events a connection holds unanswered; unlimited by default. */
  readonly window?: number;
  /** Frame encoding: JSON text frames (the default, as the SDK sends) or protobuf binary frames. */
  readonly encoding?: "json" | "binary";
}

/** What one load step measured: the workers' counts summed, and what they measure merged. */
export interface LoadStepResult extends
  Pick<
    WorkerResult,
    "connections" | "connectFailed" | "closedEarly" | "sent" | "acked" | "rejected" | "rejectCodes" | "unanswered"
  > {
  /** Acks received per second during the measured window (after warm-up, before the drain). */
  readonly achievedRate: number;
  readonly latencyMs: LatencySummary;
  /** How late the generators sent events against their schedule (their own health). */
  readonly sendLagP99Ms: number;
  /** Files of acked ids, one per worker. */
  readonly ackedFiles: readonly string[];
  readonly edge?: EdgeSample;
  /** RSS of the edge after the connections opened, before any event was sent. */
  readonly edgeRssConnectedBytes?: number;
}

/** What the edge used during the measured window. */
export interface EdgeSample {
  readonly rssMb: number;
  readonly rssMaxMb: number;
  /** CPU time over wall time, in percent of one core. */
  readonly cpuPercent: number;
  /** The same in cores, unrounded (3 decimals): what CPU per event is computed from. */
  readonly cpuCores: number;
  readonly eventLoopDelayP99Ms: number;
}

/** Runs `step` against `edge` (omit `edge` for targets that are not an edge, such as the sink). */
export async function runLoadStep(step: LoadStep, edge?: EdgeUnderTest): Promise<LoadStepResult> {
  const workers = Array.from({ length: step.workers }, (_, w) => {
    const connections = Math.floor(step.connections / step.workers) + (w < step.connections % step.workers ? 1 : 0);
    const ackedFile = `${step.scratchDir}/${step.run}-w${w}.acked`;
    const { command, args } = withFileLimit(Deno.execPath(), [
      "run",
      "--allow-all",
      workerScript,
      `--url=${step.url}`,
      `--connections=${connections}`,
      `--rate=${step.rate * connections / step.connections}`,
      `--duration-s=${step.durationS}`,
      `--warmup-s=${step.warmupS}`,
      `--drain-s=${step.drainS ?? 15}`,
      `--linger-ms=${step.lingerMs ?? 5}`,
      `--sources=${step.sources.join(",")}`,
      `--run=${step.run}`,
      `--worker=${w}`,
      `--player-offset=${w * step.connections}`,
      `--acked-file=${ackedFile}`,
      ...(step.maxFrameEvents ? [`--max-frame-events=${step.maxFrameEvents}`] : []),
      ...(step.window ? [`--window=${step.window}`] : []),
      ...(step.burst ? [`--burst=${step.burst}`] : []),
      ...(step.encoding ? [`--encoding=${step.encoding}`] : []),
    ]);
    const child = new Deno.Command(command, {
      args,
      env: { VELTRIX_JWT_SECRET: step.jwtSecret },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    return { child, ackedFile, lines: jsonLines(child.stdout) };
  });

  const connectedCounts = await Promise.all(workers.map(async (w) => (await w.lines.next()).value));
  for (const c of connectedCounts) {
    if (c === undefined || c.connected === undefined) throw new Error(`a load worker failed to connect: ${c}`);
  }
  const edgeRssConnectedBytes = edge ? await edge.rssBytes() : undefined;

  const startEpochMs = Date.now() + 300;
  for (const w of workers) {
    const writer = w.child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`start ${startEpochMs}\n`));
    await writer.close();
  }

  const windowStart = startEpochMs + step.warmupS * 1000;
  const windowEnd = startEpochMs + step.durationS * 1000;
  const sampling = edge ? sampleEdge(edge, windowStart, windowEnd) : Promise.resolve(undefined);

  const results: WorkerResult[] = [];
  for (const w of workers) {
    const message = (await w.lines.next()).value;
    const status = await w.child.status;
    if (!status.success || message?.result === undefined) throw new Error(`a load worker failed (${status.code})`);
    results.push(message.result as WorkerResult);
  }
  const edgeSample = await sampling;

  const merged = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const lag = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const r of results) {
    merged.add(hdr.decodeFromCompressedBase64(r.histogram));
    lag.add(hdr.decodeFromCompressedBase64(r.sendLagHistogram));
  }
  const sum = (f: (r: WorkerResult) => number) => results.reduce((total, r) => total + f(r), 0);
  const rejectCodes: Record<string, number> = {};
  for (const r of results) {
    for (const [code, n] of Object.entries(r.rejectCodes)) rejectCodes[code] = (rejectCodes[code] ?? 0) + n;
  }
  const windowS = step.durationS - step.warmupS;
  return {
    connections: sum((r) => r.connections),
    connectFailed: sum((r) => r.connectFailed),
    closedEarly: sum((r) => r.closedEarly),
    sent: sum((r) => r.sent),
    acked: sum((r) => r.acked),
    rejected: sum((r) => r.rejected),
    rejectCodes,
    unanswered: sum((r) => r.unanswered),
    achievedRate: Math.round(sum((r) => r.acksReceivedInWindow) / windowS),
    latencyMs: summarize(merged),
    sendLagP99Ms: lag.totalCount === 0 ? 0 : lag.getValueAtPercentile(99) / 1000,
    ackedFiles: workers.map((w) => w.ackedFile),
    ...(edgeSample ? { edge: edgeSample } : {}),
    ...(edgeRssConnectedBytes !== undefined ? { edgeRssConnectedBytes } : {}),
  };
}

/** Latency percentiles of an HDR histogram of µs, in ms. */
export function summarize(h: hdr.Histogram): LatencySummary {
  const at = (p: number) => h.totalCount === 0 ? NaN : round(h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: h.totalCount === 0 ? NaN : round(h.maxValue / 1000),
  };
}

async function sampleEdge(edge: EdgeUnderTest, windowStart: number, windowEnd: number): Promise<EdgeSample> {
  await sleepUntil(windowStart);
  await edge.eventLoopDelayP99Ms(); // Resets prom-client's event-loop histogram: the window starts clean.
  const cpuStart = await edge.cpuSeconds();
  const wallStart = performance.now();
  const rss: number[] = [];
  while (Date.now() < windowEnd) {
    rss.push(await edge.rssBytes());
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const cpuEnd = await edge.cpuSeconds();
  const wallS = (performance.now() - wallStart) / 1000;
  const eventLoopDelayP99Ms = round(await edge.eventLoopDelayP99Ms());
  const mb = (bytes: number) => round(bytes / 1024 / 1024);
  return {
    rssMb: mb(rss.at(-1) ?? NaN),
    rssMaxMb: mb(Math.max(...rss)),
    cpuPercent: Math.round((cpuEnd - cpuStart) / wallS * 100),
    cpuCores: round((cpuEnd - cpuStart) / wallS),
    eventLoopDelayP99Ms,
  };
}

async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  for await (const line of textLines(stream)) {
    if (line.trim().startsWith("{")) yield JSON.parse(line);
  }
}

function sleepUntil(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
