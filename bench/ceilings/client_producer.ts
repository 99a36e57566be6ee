/**
 * Ceiling 2 of the load benchmark: the edge's Kafka path alone, with no WebSocket and no routing.
 * Records built exactly as the edge builds them (`buildRecords`: protobuf `RoutedEvent` value,
 * player key, the three headers) for the treasure-hunt mix go to one topic through the edge's own
 * `ProduceBatcher` and `KafkaRecordSink` (one produce per batch, acks=all, no compression) on the
 * edge's own adapter of the chosen client library (`--client`: the producer configured as the
 * edge's, idempotent, no topic auto-creation, Java's murmur2 partitioner). The feeder keeps just enough records
 * queued to fill every batch the batcher may have in flight plus the next one, so Kafka, not the
 * feeder, sets the pace. Latency is per record, from `submit` to the batch's acknowledgement.
 *
 * Prints one JSON line on stdout (logs go to stderr), and exits 1 unless every record was acked.
 * `cpuUsPerRecord` is the process's CPU time (user + system) over the timed run, per acked record:
 *
 * ```json
 * {"name":"kafkajs-producer","client":"kafkajs","achievedRate":1,"sent":1,"acked":1,"recordSize":1,
 *  "durationMs":1,"cpuUsPerRecord":1,"latencyMs":{"count":1,"p50":1,"p90":1,"p95":1,"p99":1,"p999":1,"max":1},...}
 * ```
 *
 * Options (defaults in brackets; the edge's defaults come from its config table and environment):
 * - `--client` [`$VELTRIX_KAFKA_CLIENT` or the edge's default]: `platformatic` or `kafkajs`
 * - `--brokers` [`$KAFKA_BROKERS` or 127.0.0.1:9092], `--topic` [bench.ceiling-<client>]
 * - `--partitions` [`$VELTRIX_TOPIC_PARTITIONS` or 6]: when the topic has to be created
 * - `--duration-s` [10], or `--records N` to send exactly N records instead
 * - `--inflight` [`$VELTRIX_MAX_INFLIGHT_BATCHES` or 1]: batches written at once
 * - `--linger-ms` [`$VELTRIX_LINGER_MS` or 2], `--batch-max-events` [`$VELTRIX_BATCH_MAX_EVENTS`
 *   or 2000], `--batch-max-bytes` [`$VELTRIX_BATCH_MAX_BYTES` or 1048576]
 * - `--backlog` [(inflight + 1) × batch-max-events]: records kept queued ahead of Kafka
 * - `--players` [100]: distinct record keys
 *
 * ```sh
 * deno run --allow-all bench/ceilings/client_producer.ts --client platformatic --records 200000
 * ```
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { buildRecords, type DeliveryListener, type OutboundRecord, type RecordSink } from "../../src/core/mod.ts";
import { KAFKA_CLIENTS, kafkaAdapters, type KafkaClientName, KafkaRecordSink } from "../../src/kafka/mod.ts";
import { createLogger } from "../../src/main/log.ts";
import { ProduceBatcher } from "../../src/edge/ingest/produce_batcher.ts";
import {
  edgeSetting,
  emit,
  ensureBenchTopic,
  intOption,
  latencyHistogram,
  latencySummary,
  log,
  roundMs,
} from "./_ceiling_common.ts";
import { benchNaming, mixEvent, recordPayloadBytes, singleTopicResolution } from "./edge_records.ts";

const SCRIPT = "client_producer";
/** Every 7th record is measured for `recordSize` (7 is prime to the mix's cycle of 100). */
const SIZE_SAMPLE_STRIDE = 7;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      client: { type: "string", default: edgeSetting("VELTRIX_KAFKA_CLIENT") },
      brokers: { type: "string", default: edgeSetting("KAFKA_BROKERS") },
      topic: { type: "string" },
      partitions: { type: "string", default: edgeSetting("VELTRIX_TOPIC_PARTITIONS") },
      "duration-s": { type: "string", default: "10" },
      records: { type: "string" },
      inflight: { type: "string", default: edgeSetting("VELTRIX_MAX_INFLIGHT_BATCHES") },
      "linger-ms": { type: "string", default: edgeSetting("VELTRIX_LINGER_MS") },
      "batch-max-events": { type: "string", default: edgeSetting("VELTRIX_BATCH_MAX_EVENTS") },
      "batch-max-bytes": { type: "string", default: edgeSetting("VELTRIX_BATCH_MAX_BYTES") },
      backlog: { type: "string" },
      players: { type: "string", default: "100" },
    },
  });
  const client = clientOption(values.client);
  const topic = values.topic ?? `bench.ceiling-${client}`;
  const brokers = values.brokers.split(",").map((b) => b.trim()).filter((b) => b !== "");
  const partitions = intOption("partitions", values.partitions, 1);
  const inflight = intOption("inflight", values.inflight, 1);
  const lingerMs = intOption("linger-ms", values["linger-ms"], 0);
  const batchMaxEvents = intOption("batch-max-events", values["batch-max-events"], 1);
  const batchMaxBytes = intOption("batch-max-bytes", values["batch-max-bytes"], 1);
  const backlog = values.backlog === undefined
    ? (inflight + 1) * batchMaxEvents
    : intOption("backlog", values.backlog, 1);
  const limit = values.records === undefined ? undefined : intOption("records", values.records, 1);
  const durationMs = intOption("duration-s", values["duration-s"], 0) * 1000;
  const naming = benchNaming(intOption("players", values.players, 1));
  const resolution = singleTopicResolution(topic);
  const produceTimeoutMs = Number(edgeSetting("VELTRIX_PRODUCE_TIMEOUT_MS"));

  await ensureBenchTopic(brokers, topic, partitions, client);
  const topicPartitions = partitions;
  const logger = createLogger("warn");
  // The edge's own adapter (client options, producer options) and sink.
  const adapter = (await kafkaAdapters(client, brokers, logger))(`veltrix-bench-${client}-${naming.run}`);
  await adapter.connect();
  const kafkaSink = new KafkaRecordSink(adapter, { timeoutMs: produceTimeoutMs });
  let batches = 0;
  const sink: RecordSink = {
    write(records: readonly OutboundRecord[]) {
      batches++;
      return kafkaSink.write(records);
    },
  };
  const batcher = new ProduceBatcher(sink, {
    lingerMs,
    batchMaxEvents,
    batchMaxBytes,
    maxInFlightBatches: inflight,
    maxPendingEvents: Number.MAX_SAFE_INTEGER,
  });
  log(
    SCRIPT,
    `${client}: topic ${topic} (${topicPartitions} partitions), inflight ${inflight}, linger ${lingerMs} ms, ` +
      `batches of ${batchMaxEvents} events / ${batchMaxBytes} bytes, backlog ${backlog}, ` +
      (limit === undefined ? `${durationMs / 1000} s` : `${limit} records`),
  );

  const latency = latencyHistogram();
  const submittedAt = new Map<string, number>();
  let sent = 0, acked = 0, failed = 0, sizedRecords = 0, sizedBytes = 0;
  let feeding = true;
  let firstError: unknown;
  const listener: DeliveryListener = {
    delivered(id) {
      const at = submittedAt.get(id)!;
      submittedAt.delete(id);
      latency.recordValue(Math.max(1, Math.round((performance.now() - at) * 1000)));
      acked++;
      schedulePump();
    },
    failed(id, error) {
      submittedAt.delete(id);
      failed++;
      firstError ??= error;
      schedulePump();
    },
  };
  let pumpScheduled = false;
  const schedulePump = () => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    queueMicrotask(pump);
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const stopAt = started + durationMs;
  function pump(): void {
    pumpScheduled = false;
    while (feeding && batcher.pendingEvents < backlog) {
      if ((limit !== undefined && sent >= limit) || (limit === undefined && performance.now() >= stopAt)) {
        feeding = false;
        break;
      }
      const { event, stamp } = mixEvent(sent, naming);
      const built = buildRecords(event, resolution, stamp);
      if (sent % SIZE_SAMPLE_STRIDE === 0) {
        const size = recordPayloadBytes(built.records[0]!);
        sizedRecords++;
        sizedBytes += size.key + size.value + size.headers;
      }
      submittedAt.set(event.id, performance.now());
      batcher.submit(built, listener, event.id);
      sent++;
    }
  }
  pump();
  // In duration mode the feeder must also notice the deadline while it waits on acks.
  const deadline = limit === undefined
    ? setTimeout(() => {
      feeding = false;
    }, durationMs)
    : undefined;
  while (feeding) await new Promise((resolve) => setTimeout(resolve, 5));
  clearTimeout(deadline);
  await batcher.drain();
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await adapter.close().catch(() => {});

  if (failed > 0) log(SCRIPT, `${failed} records failed: ${(firstError as Error)?.message ?? firstError}`);
  emit({
    name: `${client}-producer`,
    client,
    achievedRate: Math.round(acked / (elapsedMs / 1000)),
    sent,
    acked,
    failed,
    latencyMs: latencySummary(latency),
    recordSize: sizedRecords === 0 ? 0 : Math.round((sizedBytes / sizedRecords) * 10) / 10,
    durationMs: roundMs(elapsedMs),
    cpuUsPerRecord: acked === 0 ? 0 : Math.round(((cpu.user + cpu.system) / acked) * 10) / 10,
    batches,
    avgBatchRecords: batches === 0 ? 0 : Math.round(acked / batches),
    inflight,
    lingerMs,
    batchMaxEvents,
    backlog,
    topic,
    partitions: topicPartitions,
  });
  return sent > 0 && acked === sent ? 0 : 1;
}

/** The `--client` option, one of the edge's Kafka clients. */
function clientOption(raw: string): KafkaClientName {
  const client = KAFKA_CLIENTS.find((name) => name === raw);
  if (client === undefined) throw new Error(`--client must be one of ${KAFKA_CLIENTS.join(", ")} (got ${raw})`);
  return client;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    log(SCRIPT, (error as Error).stack ?? String(error));
    Deno.exit(1);
  }
}
