/**
 * `deno task tail [TOPIC...] [options]`: follows topics and prints one line per event as it is
 * routed (see {@link TAIL_USAGE}). It reads in a consumer group of its own that never commits, so
 * it disturbs no consumer. Ctrl-C stops it cleanly.
 *
 * @module
 */
import { decodeRoutedEvent } from "../../src/consumer/mod.ts";
import { clusterAnswers, type GroupRecord, kafkaGroupConsumers, kafkaOffsets } from "../../src/kafka/mod.ts";
import { eventJson, formatEventLine, formatUndecodableLine, type LineStyle, matchesFilter } from "./tail_line.ts";
import { parseTailArgs, TAIL_USAGE, type TailOptions, TailUsageError } from "./tail_options.ts";
import { checkTopics, kafkaConnectionOrTailError, quietLogger, TailError } from "./tail_kafka.ts";

const encoder = new TextEncoder();

/** How lines look on this stdout. */
function lineStyle(options: TailOptions): LineStyle {
  const terminal = Deno.stdout.isTerminal();
  const colour = options.colour === "always" || (options.colour === "auto" && terminal && !Deno.env.get("NO_COLOR"));
  return { colour: colour && !options.json, width: terminal ? Deno.consoleSize().columns : undefined };
}

/** The lines of one batch. */
function linesOf(records: readonly GroupRecord[], options: TailOptions, style: LineStyle): string {
  let text = "";
  for (const record of records) {
    let line: string;
    try {
      const event = decodeRoutedEvent(record);
      if (!matchesFilter(event, options.filter)) continue;
      line = options.json ? eventJson(event, record) : formatEventLine(event, record, style);
    } catch (error) {
      if (options.json || Object.keys(options.filter).length > 0) continue;
      line = formatUndecodableLine(record, (error as Error).message.replace(/^not a Veltrix record: /, ""), style);
    }
    text += line + "\n";
  }
  return text;
}

async function write(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
}

/** Runs the tail until Ctrl-C or SIGTERM; returns the exit code. */
export async function runTail(args: readonly string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(TAIL_USAGE);
    return 0;
  }
  let options: TailOptions;
  try {
    options = parseTailArgs(args, Date.now(), Deno.env.get("KAFKA_BROKERS"));
  } catch (error) {
    if (!(error instanceof TailUsageError)) throw error;
    console.error(`tail: ${error.message}\n${TAIL_USAGE}`);
    return 2;
  }
  let connection;
  try {
    connection = await kafkaConnectionOrTailError(options.brokers.join(","));
  } catch (error) {
    if (!(error instanceof TailError)) throw error;
    console.error(`tail: ${error.message}`);
    return 2;
  }
  if (!await clusterAnswers(connection, 3_000)) {
    console.error(`tail: Kafka at ${options.brokers.join(",")} does not answer (is it running? deno task kafka up)`);
    return 1;
  }
  const offsets = await kafkaOffsets("kafkajs", connection, quietLogger, "veltrix-tail");
  try {
    await checkTopics(offsets, options.topics);
  } catch (error) {
    if (!(error instanceof TailError)) throw error;
    console.error(`tail: ${error.message}`);
    return 1;
  } finally {
    await offsets.close();
  }
  const style = lineStyle(options);
  const consumer = (await kafkaGroupConsumers("kafkajs", connection, quietLogger))({
    clientId: "veltrix-tail",
    groupId: `veltrix-tail-${crypto.randomUUID()}`,
    maxWaitMs: 200,
  });
  const stopped = Promise.withResolvers<number>();
  const stop = (code: number) => {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    consumer.stop().then(() => stopped.resolve(code));
  };
  const onSignal = () => stop(0);
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  await consumer.run({
    topics: options.topics,
    start: options.start,
    onBatch: async (batch, control) => {
      const last = batch.records.at(-1);
      if (last !== undefined) control.advance(String(BigInt(last.offset) + 1n));
      const text = linesOf(batch.records, options, style);
      if (text === "") return;
      try {
        await write(text);
      } catch (error) {
        // The reader went away (`| head`): stop quietly.
        if (error instanceof Deno.errors.BrokenPipe) stop(0);
        else throw error;
      }
    },
    onCrash: (error) => {
      console.error(`tail: lost Kafka: ${(error as Error).message ?? error}`);
      stop(1);
    },
  });
  if (!options.json) {
    const where = options.start.from === "latest" ? "new events" : "events";
    console.error(`tail: following ${where} on ${options.topics.join(", ")} (Ctrl-C stops)`);
  }
  return await stopped.promise;
}

if (import.meta.main) {
  Deno.exit(await runTail(Deno.args));
}
