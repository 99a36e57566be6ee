import { fromJsonString } from "@bufbuild/protobuf";
import { parseArgs } from "node:util";
import { compileRouteMapOrThrow, defaultRouteMap } from "../../src/core/mod.ts";
import type { RoutesCommand } from "../../src/control/mod.ts";
import { decodeRoutedEvent } from "../../src/consumer/mod.ts";
import { RouteMapSchema } from "../../src/gen/veltrix/v1/route_map_pb.ts";
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { kafkaConnectionOrTailError } from "./tail_kafka.ts";
import { findEventRecords } from "./find_event_records.ts";
import { TailError } from "./tail_kafka.ts";
import { defaultTopics, parseDuration, TailUsageError } from "./tail_options.ts";
import { type MapInForce, type TracedRecord, traceReport } from "./trace_report.ts";

const USAGE = "trace EVENT_ID [--since 1h] [--admin URL] [--topic T]... [--brokers LIST]";

/** The map an edge routes by (`GET ADMIN/v1/routes`), or the embedded default map without `--admin`. */
export async function mapInForce(admin: string | undefined): Promise<MapInForce> {
  if (admin === undefined) {
    return {
      version: 1n,
      source: "embedded default; give --admin for an edge's",
      table: compileRouteMapOrThrow(defaultRouteMap()),
    };
  }
  const url = `${admin.replace(/\/+$/, "")}/v1/routes`;
  let body: { routeMap?: unknown };
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new TailError(`cannot read the map in force from ${url}: ${(error as Error).message}`);
  }
  const map = fromJsonString(RouteMapSchema, JSON.stringify(body.routeMap));
  return { version: map.version, source: admin, table: compileRouteMapOrThrow(map) };
}

async function trace(args: string[], out: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        since: { type: "string" },
        admin: { type: "string" },
        topic: { type: "string", multiple: true },
        brokers: { type: "string" },
      },
    });
    if (parsed.positionals.length !== 1) throw new TailUsageError("give exactly one EVENT_ID");
  } catch (error) {
    console.error(`routes: trace: ${(error as Error).message}\nusage: deno task routes ${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    const since = values.since ?? "1h";
    const sinceMs = Date.now() - parseDuration(since);
    const connection = await kafkaConnectionOrTailError(values.brokers);
    const map = await mapInForce(values.admin);
    if (!await clusterAnswers(connection, 3_000)) {
      throw new TailError(
        `Kafka at ${connection.brokers.join(",")} does not answer (is it running? deno task kafka up)`,
      );
    }
    const topics = [...new Set([...values.topic ?? [], ...map.table.topics, ...defaultTopics()])];
    const records = await findEventRecords({ connection, topics, id: positionals[0]!, sinceMs });
    const found: TracedRecord[] = records.map((record) => {
      try {
        return { record, event: decodeRoutedEvent(record) };
      } catch {
        return { record, event: undefined };
      }
    });
    for (const line of traceReport(positionals[0]!, `${since} ago`, found, map)) out(line);
    out(`searched: ${topics.join(", ")}`);
    return found.length > 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof TailError || error instanceof TailUsageError)) throw error;
    console.error(`routes: trace: ${error.message}`);
    return 1;
  }
}

/** `deno task routes trace EVENT_ID`: where one event went, and whether the map in force agrees. */
export const traceCommand: RoutesCommand = { usage: USAGE, run: trace };
