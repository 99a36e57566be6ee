import type { EventRecords } from "../../core/routing/build_records.ts";
import { isReject, type RoutedOrRejected } from "../../core/routing/route_event.ts";
import type { RouteTable } from "../../core/route_map/route_table.ts";
import type { IngestMetrics } from "../edge_metrics.ts";

/**
 * Counts one routed event in the metrics and in its map's per-version `counts`, the one place that
 * does: a NO_ROUTE reject and a dead-lettered event are unrouted; a written event counts its
 * records by topic, and as dead-lettered when it went to the dead-letter or bad-event topic of
 * `table` (the table it was routed by: a tenant with a topic prefix has its own, counted in its map's).
 */
export function countRouted(
  metrics: IngestMetrics,
  routed: RoutedOrRejected,
  written: boolean,
  table: RouteTable,
  counts: RouteTable["counts"],
): void {
  if (isReject(routed)) {
    counts.rejected++;
    if (routed.code === "NO_ROUTE") metrics.unrouted();
    return;
  }
  const { deadLettered, records } = routed as EventRecords;
  if (deadLettered) metrics.unrouted();
  if (!written) {
    counts.rejected++;
    return;
  }
  counts.routed++;
  if (deadLettered || records[0]?.topic === table.badEventTopic) counts.deadLettered++;
  if (deadLettered) metrics.deadLettered();
  for (const record of records) metrics.routed(record.topic);
}
