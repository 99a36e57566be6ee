import { parseArgs } from "node:util";
import type { RoutesCommand } from "../../src/control/mod.ts";
import { decodeRoutedEvent } from "../../src/consumer/mod.ts";
import { type DeadLetter, EDGE_SPAN_ID_HEADER, type IncomingEvent, replayDeadLetter } from "../../src/core/mod.ts";
import { clusterAnswers, type GroupRecord, kafkaAdapters, type KafkaConnection } from "../../src/kafka/mod.ts";
import { readBounded } from "../tail/find_event_records.ts";
import { kafkaConnectionOrTailError, quietLogger, TailError } from "../tail/tail_kafka.ts";
import { parseDuration, TailUsageError } from "../tail/tail_options.ts";
import { mapInForce } from "../tail/trace_command.ts";
import { parseOffsets, ReplayTally } from "./replay_plan.ts";

const USAGE = "replay --from TOPIC (--since 2h | --offsets P:FROM[-TO],...) [--type T]... [--dry-run] [--rate N] " +
  "[--admin URL] [--brokers LIST] [--checkpoint-topic T]";

/** The compacted topic that remembers which dead letters were replayed, one record per dead letter. */
export const REPLAY_CHECKPOINT_TOPIC = "veltrix.replays";

/** Events written per produce request. */
const BATCH = 100;

/** The dead letters at `from` already replayed: the keys of the checkpoint topic's records. */
async function replayedAlready(connection: KafkaConnection, checkpoints: string, from: string): Promise<Set<string>> {
  const adapter = (await kafkaAdapters("kafkajs", connection, quietLogger))("veltrix-replay-check");
  try {
    if (!(await adapter.listTopics()).includes(checkpoints)) return new Set();
  } finally {
    await adapter.close();
  }
  const prefix = `${from}/`;
  const records = await readBounded({
    connection,
    topics: [checkpoints],
    sinceMs: 0,
    clientId: "veltrix-replay",
    keep: (record) => record.key !== null && new TextDecoder().decode(record.key).startsWith(prefix),
  });
  return new Set(records.map((record) => new TextDecoder().decode(record.key!)));
}

/** The dead letter a record holds, or undefined when it cannot be decoded. */
function deadLetterOf(record: GroupRecord): DeadLetter | undefined {
  try {
    const routed = decodeRoutedEvent(record);
    const event: IncomingEvent = {
      id: routed.id,
      type: routed.type,
      data: routed.data,
      ...(routed.trace === undefined ? {} : { traceparent: routed.trace.clientTraceparent }),
      ...(routed.trace?.tracestate === undefined ? {} : { tracestate: routed.trace.tracestate }),
    };
    const span = record.headers[EDGE_SPAN_ID_HEADER];
    return {
      event,
      player: routed.player,
      receivedAtMs: routed.receivedAt.getTime(),
      edgeId: routed.edgeId,
      ...(span === undefined ? {} : { edgeSpanId: span }),
      from: `${record.topic}/${record.partition}/${record.offset}`,
    };
  } catch {
    return undefined;
  }
}

async function replay(args: string[], out: (line: string) => void): Promise<number> {
  if (args.includes("--help")) {
    out(`usage: deno task routes ${USAGE}`);
    return 0;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        from: { type: "string" },
        since: { type: "string" },
        offsets: { type: "string" },
        type: { type: "string", multiple: true },
        "dry-run": { type: "boolean", default: false },
        rate: { type: "string" },
        admin: { type: "string" },
        brokers: { type: "string" },
        "checkpoint-topic": { type: "string", default: REPLAY_CHECKPOINT_TOPIC },
      },
    }));
    if (values.from === undefined) throw new TailUsageError("--from TOPIC is required");
    if ((values.since === undefined) === (values.offsets === undefined)) {
      throw new TailUsageError("give exactly one of --since and --offsets");
    }
    if (values.rate !== undefined && !(Number(values.rate) > 0)) throw new TailUsageError("--rate must be above 0");
  } catch (error) {
    console.error(`routes: replay: ${(error as Error).message}\nusage: deno task routes ${USAGE}`);
    return 2;
  }
  try {
    const from = values.from!;
    const offsets = values.offsets === undefined ? undefined : parseOffsets(values.offsets);
    const sinceMs = values.since === undefined ? 0 : Date.now() - parseDuration(values.since);
    const types = values.type === undefined ? undefined : new Set(values.type);
    const checkpoints = values["checkpoint-topic"]!;
    const connection = await kafkaConnectionOrTailError(values.brokers);
    const map = await mapInForce(values.admin);
    if (!await clusterAnswers(connection, 3_000)) {
      throw new TailError(
        `Kafka at ${connection.brokers.join(",")} does not answer (is it running? deno task kafka up)`,
      );
    }
    // A tenant's dead letters (its topic prefix starts the topic) go through the tenant's table.
    const tenant = map.table.tenancy.tenantOfTopic(from);
    const table = tenant === undefined ? map.table : map.table.tenancy.tableOf(tenant.name) ?? map.table;
    const inRange = (record: GroupRecord) => {
      const range = offsets?.get(record.partition);
      if (offsets === undefined) return true;
      const offset = BigInt(record.offset);
      return range !== undefined && offset >= range.from && (range.to === undefined || offset < range.to);
    };
    const records = await readBounded({
      connection,
      topics: [from],
      sinceMs,
      clientId: "veltrix-replay",
      keep: inRange,
    });
    const done = await replayedAlready(connection, checkpoints, from);
    const tally = new ReplayTally();
    for (const record of records) {
      const letter = deadLetterOf(record);
      if (letter === undefined) {
        tally.add("(undecodable)", "", { routes: false, reason: "UNDECODABLE" });
        continue;
      }
      if (types !== undefined && !types.has(letter.event.type)) {
        tally.skipped++;
        continue;
      }
      tally.add(
        letter.event.type,
        letter.from,
        done.has(letter.from) ? "already replayed" : replayDeadLetter(letter, table),
      );
    }
    const dry = values["dry-run"];
    out(
      `replay ${dry ? "(dry run) " : ""}of ${from}: ${records.length} dead letters read ` +
        `(${values.since === undefined ? `offsets ${values.offsets}` : `since ${values.since}`}), ` +
        `through route map ${map.version} (${map.source})${tenant === undefined ? "" : `, tenant ${tenant.name}`}`,
    );
    for (const line of tally.lines()) out(`  ${line}`);
    const summary = `${tally.routed.length} events (${tally.records} records)`;
    const rest = `${tally.left} left where they are, ${tally.already} already replayed` +
      (tally.skipped > 0 ? `, ${tally.skipped} of other types` : "");
    if (dry) {
      out(`would write ${summary}; ${rest}; dry run: nothing written`);
      return 0;
    }
    await writeReplay(connection, checkpoints, tally, values.rate === undefined ? Infinity : Number(values.rate));
    out(`wrote ${summary}; ${rest}; checkpoints in ${checkpoints}`);
    return 0;
  } catch (error) {
    if (!(error instanceof TailError || error instanceof TailUsageError)) throw error;
    console.error(`routes: replay: ${error.message}`);
    return 1;
  }
}

/**
 * Writes the routed events' records (acks=all, idempotent), then one checkpoint record per event,
 * keyed by where its dead letter sits, so that a second replay of the range writes nothing. At
 * most `rate` events per second.
 */
async function writeReplay(connection: KafkaConnection, checkpoints: string, tally: ReplayTally, rate: number) {
  if (tally.routed.length === 0) return;
  const adapter = (await kafkaAdapters("kafkajs", connection, quietLogger))("veltrix-replay");
  try {
    if (!(await adapter.listTopics()).includes(checkpoints)) {
      await adapter.createTopics([{
        topic: checkpoints,
        partitions: 1,
        replicationFactor: -1,
        configs: { "cleanup.policy": "compact" },
      }]);
    }
    await adapter.connect();
    const started = performance.now();
    for (let i = 0; i < tally.routed.length; i += BATCH) {
      const batch = tally.routed.slice(i, i + BATCH);
      await adapter.produce(batch.flatMap((event) => event.records), 30_000);
      const at = new Date().toISOString();
      await adapter.produce(
        batch.map((event) => ({
          topic: checkpoints,
          key: event.from,
          value: new TextEncoder().encode(JSON.stringify({ at, topics: event.records.map((r) => r.topic) })),
          headers: {},
        })),
        30_000,
      );
      const due = ((i + batch.length) / rate) * 1000 - (performance.now() - started);
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
    }
  } finally {
    await adapter.close();
  }
}

/** `deno task routes replay`: dead letters run again through the map in force; see docs/routing.md. */
export const replayCommand: RoutesCommand = { usage: USAGE, run: replay };
