/**
 * The `ceilings` scenario of `deno task bench`: what this machine does without the edge, from the
 * same run. Kafka's own ProducerPerformance and a bare producer of each Kafka client the edge can
 * run on with the edge's batcher (`bench/ceilings/`, each in its own process), the load generator against a bare WebSocket sink
 * that acks without Kafka, and a check that the server's sockets do not stall on large frames.
 *
 * @module
 */
import { KAFKA_CLIENTS } from "../src/kafka/mod.ts";
import type { BenchRow } from "./bench_result.ts";
import { runCeilingScript, startWebSocketSink } from "./ceiling_runner.ts";
import { type LoadStep, type LoadStepResult, runLoadStep } from "./run_load.ts";

/** What the ceilings scenario needs from the benchmark run. */
export interface CeilingsContext {
  readonly brokers: string;
  readonly quick: boolean;
  /** Connections of the WebSocket sink's load steps. */
  readonly connections: number;
  /** One load step of the run against `url`. */
  step(url: string, rate: number, connections: number, extra?: Partial<LoadStep>): LoadStep;
  progress(message: string): void;
}

/** Runs every ceiling in turn; returns their table rows and headline figures. */
export async function ceilingsScenario(
  { brokers, quick, connections, step, progress }: CeilingsContext,
): Promise<{ rows: BenchRow[]; summary: Record<string, number> }> {
  const rows: BenchRow[] = [];
  const summary: Record<string, number> = {};
  progress("ceiling: Kafka ProducerPerformance");
  const perf = await runCeilingScript("producer_performance.ts", [
    `--brokers=${brokers}`,
    `--records=${quick ? 20_000 : 300_000}`,
  ]);
  rows.push(ceilingRow("Kafka ProducerPerformance (Java)", perf));
  summary.kafkaProducerPerfRate = perf.achievedRate as number;
  for (const client of KAFKA_CLIENTS) {
    progress(`ceiling: bare ${client} producer`);
    const bare = await runCeilingScript("client_producer.ts", [
      `--client=${client}`,
      `--brokers=${brokers}`,
      `--duration-s=${quick ? 2 : 10}`,
    ]);
    rows.push(ceilingRow(`${client} producer, edge settings`, bare));
    summary[`${client}Rate`] = bare.achievedRate as number;
    summary[`${client}CpuUsPerRecord`] = bare.cpuUsPerRecord as number;
  }

  const sink = await startWebSocketSink();
  try {
    let best = 0;
    for (const rate of quick ? [4000] : [10_000, 20_000, 40_000, 60_000, 80_000]) {
      progress(`ceiling: bare WebSocket sink at ${rate} ev/s`);
      const r = await runLoadStep(step(sink.url, rate, connections, { durationS: quick ? 3 : 6 }));
      rows.push(sinkRow("ceiling", `WebSocket sink, ${rate} ev/s offered`, rate, r));
      best = Math.max(best, r.achievedRate);
      if (r.achievedRate < 0.95 * rate || r.latencyMs.p99 > 100) break;
    }
    summary.webSocketSinkRate = best;
    progress("ceiling: socket stall check (1 connection, lock-step 200-event frames)");
    rows.push(await stallCheck(step(sink.url, 0, 1), quick));
    summary.stallCheckP50Ms = rows.at(-1)!.latencyMs.p50;
  } finally {
    await sink.stop();
  }
  return { rows, summary };
}

/**
 * Checks that the edge's server sockets do not stall on large frames the way Deno's WebSocket
 * client does (Nagle's algorithm against delayed ACKs, about 40 ms a frame): one connection sends
 * 200-event frames in lock step (at most 200 events unanswered, so the next frame only after the
 * last one's acks) at 40,000 ev/s, well below what it reaches in lock step, to the sink, which
 * answers through the edge's own server stack with multi-kilobyte ack frames.
 */
async function stallCheck(base: LoadStep, quick: boolean): Promise<BenchRow> {
  const rate = 40_000;
  const r = await runLoadStep({
    ...base,
    rate,
    durationS: (quick ? 2000 : 10_000) / rate,
    warmupS: 0,
    window: 200,
    maxFrameEvents: 200,
  });
  // No offered rate: lock step is closed loop, and the row stays off the chart.
  const { offeredRate: _, ...row } = sinkRow(
    "ceiling",
    `WebSocket sink, 1 conn, lock-step 200-event frames, ${rate} ev/s`,
    rate,
    r,
    "stall check: a Nagle stall on the server's ~4 KB ack frames would hold each frame ~40 ms and put p50 " +
      "at 40 ms or more",
  );
  return row;
}

/** A row of a load step against the bare WebSocket sink. */
export function sinkRow(scenario: string, label: string, rate: number, r: LoadStepResult, notes?: string): BenchRow {
  return {
    scenario,
    label,
    connections: r.connections,
    offeredRate: rate,
    achievedRate: r.achievedRate,
    sent: r.sent,
    acked: r.acked,
    unanswered: r.unanswered,
    latencyMs: r.latencyMs,
    generatorLagP99Ms: r.sendLagP99Ms,
    ...(notes ? { notes } : {}),
  };
}

function ceilingRow(label: string, r: Record<string, unknown>): BenchRow {
  const latency = r.latencyMs as Record<string, number>;
  return {
    scenario: "ceiling",
    label,
    achievedRate: Math.round(r.achievedRate as number),
    sent: r.sent as number,
    acked: r.acked as number,
    latencyMs: {
      p50: latency.p50 ?? NaN,
      p90: latency.p90 ?? latency.p95 ?? NaN,
      p99: latency.p99 ?? NaN,
      p999: latency.p999 ?? NaN,
      max: latency.max ?? NaN,
    },
    notes: `closed loop, flat out; ${r.recordSize} B records${
      typeof r.cpuUsPerRecord === "number" ? `; ${r.cpuUsPerRecord} µs CPU/record` : ""
    }${latency.p90 === undefined ? "; p90 column is p95" : ""}`,
  };
}
