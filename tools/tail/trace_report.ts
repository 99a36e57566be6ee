import type { RouteTable } from "../../src/core/mod.ts";
import type { RoutedEvent } from "../../src/consumer/mod.ts";
import type { GroupRecord } from "../../src/kafka/mod.ts";

/** One record that holds the traced event, decoded when it could be. */
export interface TracedRecord {
  readonly record: GroupRecord;
  readonly event: RoutedEvent | undefined;
}

/** The route map that `routes trace` compares against. */
export interface MapInForce {
  readonly version: bigint;
  /** Where it came from: an edge's admin URL, or the embedded default map. */
  readonly source: string;
  readonly table: RouteTable;
}

/**
 * The lines of `routes trace`: every topic, partition and offset that holds the event, whether
 * the map in force would still send it there, and the topics that map names where the event was
 * not found.
 */
export function traceReport(id: string, since: string, found: readonly TracedRecord[], map: MapInForce): string[] {
  if (found.length === 0) return [`event ${id}: not found in any searched topic since ${since}`];
  const type = found.find((f) => f.event !== undefined)?.event?.type;
  const wanted = type === undefined ? [] : map.table.resolve(type).targets.map((t) => t.topic);
  const lines = [`event ${id}${type === undefined ? "" : ` (${type})`}: ${found.length} record(s) since ${since}`];
  for (const { record, event } of found) {
    const where = `${record.topic} ${record.partition}/${record.offset}`;
    const what = event === undefined
      ? "not decodable"
      : `player ${event.player}, edge ${event.edgeId}, route v${event.routeVersion}, at ${event.receivedAt.toISOString()}`;
    const still = wanted.includes(record.topic) ? "yes" : "no";
    lines.push(`  ${where}  ${what}  still sent here by v${map.version}: ${still}`);
  }
  if (type !== undefined) {
    lines.push(`map in force: v${map.version} (${map.source}) sends ${type} to: ${wanted.join(", ") || "(nowhere)"}`);
    const missing = wanted.filter((topic) => !found.some((f) => f.record.topic === topic));
    if (missing.length > 0) {
      lines.push(`  not found in: ${missing.join(", ")} (routed before the map changed, or since expired)`);
    }
  }
  return lines;
}
