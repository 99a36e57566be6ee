/**
 * Ceiling 1 of the load benchmark: what the broker takes from its own Java producer. Runs Apache
 * Kafka's `org.apache.kafka.tools.ProducerPerformance` (from the dev broker's jars, on the JDK) at
 * the size of the records the edge writes, with an idempotent `acks=all` producer like the edge's,
 * and prints its final summary as one JSON line on stdout:
 *
 * ```json
 * {"name":"kafka-producer-perf","achievedRate":1,"sent":1,"acked":1,"recordSize":1,"durationMs":1,
 *  "latencyMs":{"p50":1,"p95":1,"p99":1,"p999":1,"max":1,"avg":1},"mbPerSec":1,"wallMs":1,...}
 * ```
 *
 * `sent` is the records asked for and `acked` the records the tool counted as acknowledged; the
 * script exits 1 unless they are equal. Latency percentiles are the tool's (whole ms; it reports
 * no p90). `durationMs` is `acked / achievedRate`, the tool's own window; `wallMs` includes the JVM
 * start. Progress lines and logs go to stderr.
 *
 * Options (defaults in brackets):
 * - `--brokers` [`$KAFKA_BROKERS` or 127.0.0.1:9092], `--topic` [bench.ceiling-producer-perf]
 * - `--partitions` [`$VELTRIX_TOPIC_PARTITIONS` or 6]: when the topic has to be created
 * - `--records` [200000], `--throughput` [-1, unthrottled]
 * - `--record-size` [the edge's average record for the treasure-hunt mix, key + value + headers,
 *   less the tool's own key; see `edge_records.ts`]
 * - `--keys` [100]: keys `0..keys-1` round robin (`--key-distribution range`), like one key per
 *   player; 0 sends null keys
 * - `--acks` [all], `--linger-ms` [5], `--batch-size` [65536]; always `enable.idempotence=true`,
 *   `compression.type=none`
 * - `--heap` [512m], `--timeout-s` [300]
 *
 * The jars are resolved with `tools/kafka/pom.xml` into `$VELTRIX_KAFKA_HOME/libs` (as
 * `deno task kafka up` does) when they are missing.
 *
 * ```sh
 * deno run --allow-all bench/ceilings/producer_performance.ts --records 200000
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { kafkaHome } from "../../tools/kafka/kafka.ts";
import { edgeSetting, emit, ensureBenchTopic, intOption, log, roundMs } from "./_ceiling_common.ts";
import { measureMixRecordSizes } from "./edge_records.ts";

const SCRIPT = "producer_performance";
const TOOL = "org.apache.kafka.tools.ProducerPerformance";
const kafkaTools = new URL("../../tools/kafka/", import.meta.url).pathname;

/** The tool's final summary, as printed. */
export interface ProducerPerformanceSummary {
  readonly records: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly avgMs: number;
  readonly maxMs: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
}

const SUMMARY = new RegExp(
  String.raw`^(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ` +
    String.raw`([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.?$`,
);

/**
 * Reads ProducerPerformance's final summary line ("N records sent, R records/sec (M MB/sec),
 * A ms avg latency, X ms max latency, a ms 50th, b ms 95th, c ms 99th, d ms 99.9th."); undefined
 * for any other line (the periodic progress lines have no percentiles).
 */
export function parseSummaryLine(line: string): ProducerPerformanceSummary | undefined {
  const m = SUMMARY.exec(line.trim());
  if (m === null) return undefined;
  const n = (i: number) => Number(m[i]);
  return {
    records: n(1),
    recordsPerSec: n(2),
    mbPerSec: n(3),
    avgMs: n(4),
    maxMs: n(5),
    p50: n(6),
    p95: n(7),
    p99: n(8),
    p999: n(9),
  };
}

/**
 * Makes sure the Kafka jars, including kafka-tools, are in `$VELTRIX_KAFKA_HOME/libs`: resolved
 * completely (the `.complete` mark `tools/kafka/kafka.ts` leaves) and holding kafka-tools.
 */
async function ensureToolJars(): Promise<string> {
  const libs = `${kafkaHome()}/libs`;
  const hasTools = async () => {
    try {
      for await (const entry of Deno.readDir(libs)) if (/^kafka-tools-\d.*\.jar$/.test(entry.name)) return true;
    } catch {
      // No folder yet.
    }
    return false;
  };
  const complete = await Deno.stat(`${libs}/.complete`).then(() => true, () => false);
  if (complete && await hasTools()) return libs;
  log(SCRIPT, `resolving the Kafka jars (with kafka-tools) from Maven Central into ${libs}`);
  await Deno.mkdir(libs, { recursive: true });
  const out = await new Deno.Command("mvn", {
    args: [
      "-q",
      "-B",
      "-f",
      `${kafkaTools}pom.xml`,
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${libs}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  // Maven's output goes to stderr: stdout carries only the result line.
  await Deno.stderr.write(out.stdout);
  if (!out.success || !(await hasTools())) throw new Error(`mvn could not resolve kafka-tools into ${libs}`);
  await Deno.writeTextFile(`${libs}/.complete`, new Date().toISOString());
  return libs;
}

/** Average count of decimal digits of the integers 0..n-1 (the tool's keys). */
function averageKeyDigits(n: number): number {
  let digits = 0;
  for (let k = 0; k < n; k++) digits += String(k).length;
  return n === 0 ? 0 : digits / n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      brokers: { type: "string", default: edgeSetting("KAFKA_BROKERS") },
      topic: { type: "string", default: "bench.ceiling-producer-perf" },
      partitions: { type: "string", default: edgeSetting("VELTRIX_TOPIC_PARTITIONS") },
      records: { type: "string", default: "200000" },
      "record-size": { type: "string" },
      keys: { type: "string", default: "100" },
      acks: { type: "string", default: "all" },
      "linger-ms": { type: "string", default: "5" },
      "batch-size": { type: "string", default: "65536" },
      throughput: { type: "string", default: "-1" },
      heap: { type: "string", default: "512m" },
      "timeout-s": { type: "string", default: "300" },
    },
  });
  const brokers = values.brokers.split(",").map((b) => b.trim()).filter((b) => b !== "");
  const records = intOption("records", values.records, 1);
  const keys = intOption("keys", values.keys, 0);
  const partitions = intOption("partitions", values.partitions, 1);
  const lingerMs = intOption("linger-ms", values["linger-ms"], 0);
  const batchSize = intOption("batch-size", values["batch-size"], 0);
  const throughput = intOption("throughput", values.throughput, -1);
  const timeoutMs = intOption("timeout-s", values["timeout-s"], 1) * 1000;
  let recordSize: number;
  if (values["record-size"] !== undefined) {
    recordSize = intOption("record-size", values["record-size"], 1);
  } else {
    const sizes = measureMixRecordSizes();
    recordSize = Math.max(1, Math.round(sizes.avgRecordBytes - averageKeyDigits(keys)));
    log(SCRIPT, `edge records for the mix: ${JSON.stringify(sizes)}; --record-size ${recordSize}`);
  }

  const libs = await ensureToolJars();
  const topicPartitions = await ensureBenchTopic(brokers, values.topic, partitions);
  log(SCRIPT, `topic ${values.topic} has ${topicPartitions} partitions`);

  const args = [
    `-Xmx${values.heap}`,
    `-Dlog4j2.configurationFile=${kafkaTools}log4j2.properties`,
    "-cp",
    `${libs}/*`,
    TOOL,
    "--bootstrap-server",
    brokers.join(","),
    "--topic",
    values.topic,
    "--num-records",
    String(records),
    "--record-size",
    String(recordSize),
    "--throughput",
    String(throughput),
    "--reporting-interval",
    "1000",
    ...(keys > 0 ? ["--key-distribution", "range", "--record-key-range", String(keys)] : []),
    "--command-property",
    `acks=${values.acks}`,
    "enable.idempotence=true",
    `linger.ms=${lingerMs}`,
    `batch.size=${batchSize}`,
    "compression.type=none",
    "client.id=veltrix-bench-producer-perf",
  ];
  log(SCRIPT, `java ${args.join(" ")}`);
  const started = performance.now();
  const child = new Deno.Command("java", { args, stdin: "null", stdout: "piped", stderr: "inherit" }).spawn();
  const timer = setTimeout(() => {
    log(SCRIPT, `no result after ${timeoutMs} ms; stopping the tool`);
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  let summary: ProducerPerformanceSummary | undefined;
  const decoder = new TextDecoder();
  let pending = "";
  const onLine = (line: string) => {
    if (line.trim() === "") return;
    console.error(`[ProducerPerformance] ${line}`);
    summary = parseSummaryLine(line) ?? summary;
  };
  for await (const chunk of child.stdout) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    lines.forEach(onLine);
  }
  onLine(pending + decoder.decode());
  const status = await child.status;
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  if (!status.success || summary === undefined) {
    log(SCRIPT, `ProducerPerformance failed (exit ${status.code}) ${summary ? "" : "without a final summary"}`);
    return 1;
  }
  emit({
    name: "kafka-producer-perf",
    achievedRate: summary.recordsPerSec,
    sent: records,
    acked: summary.records,
    latencyMs: {
      p50: summary.p50,
      p95: summary.p95,
      p99: summary.p99,
      p999: summary.p999,
      max: summary.maxMs,
      avg: summary.avgMs,
    },
    recordSize,
    durationMs: roundMs(summary.recordsPerSec > 0 ? (summary.records / summary.recordsPerSec) * 1000 : 0),
    mbPerSec: summary.mbPerSec,
    wallMs: roundMs(wallMs),
    topic: values.topic,
    partitions: topicPartitions,
    keys,
    producer: { acks: values.acks, idempotence: true, lingerMs, batchSize, compression: "none" },
  });
  return summary.records === records ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    log(SCRIPT, (error as Error).stack ?? String(error));
    Deno.exit(1);
  }
}
