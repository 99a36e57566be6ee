/**
 * What the ceiling scripts share: edge defaults read from the edge's own config table, stderr
 * logging, the one JSON result line on stdout, latency summaries from an HDR histogram, and
 * creating the bench topic the way the edge creates its topics.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import { CONFIG_VARIABLES } from "../../src/main/config.ts";
import { kafkaAdapters, type KafkaClientName, TopicGate } from "../../src/kafka/mod.ts";
import { createLogger } from "../../src/main/log.ts";

/** The edge's value of a `VELTRIX_*` (or `KAFKA_BROKERS`) variable: the environment's, else the edge's default. */
export function edgeSetting(name: string): string {
  const fromEnv = Deno.env.get(name);
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv;
  const variable = CONFIG_VARIABLES.find((v) => v.name === name);
  if (variable === undefined) throw new Error(`the edge has no setting ${name}`);
  return variable.default;
}

/** Parses a whole number option, failing with the option's name. */
export function intOption(name: string, raw: string | undefined, min = 0): number {
  const value = Number(raw);
  if (raw === undefined || !/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer of at least ${min} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** One log line on stderr, prefixed with the script's name. */
export function log(script: string, message: string): void {
  console.error(`${script}: ${message}`);
}

/** Prints the script's one result line on stdout. */
export function emit(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}

/** A histogram of latencies in microseconds, up to 10 minutes, 3 significant digits. */
export function latencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** Latency percentiles in ms (3 decimals) from a histogram of microseconds. */
export interface LatencyMs {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Summarises a histogram of microseconds in ms; NaN percentiles when it is empty. */
export function latencySummary(h: hdr.Histogram): LatencyMs {
  const ms = (us: number) => h.totalCount === 0 ? NaN : Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/**
 * Makes sure `topic` exists, creating it with `partitions` partitions and the edge's replication
 * factor when it is missing (through the edge's own topic gate, on `client`'s adapter).
 */
export async function ensureBenchTopic(
  brokers: readonly string[],
  topic: string,
  partitions: number,
  client: KafkaClientName = "kafkajs",
): Promise<void> {
  const logger = createLogger("warn");
  const adapter = (await kafkaAdapters(client, brokers, logger))("veltrix-bench-admin");
  try {
    const replicationFactor = Number(edgeSetting("VELTRIX_TOPIC_REPLICATION_FACTOR"));
    await new TopicGate(adapter, { partitions, replicationFactor }, logger).ensure([topic]);
  } finally {
    await adapter.close();
  }
}

/** Milliseconds, rounded to 0.1. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
