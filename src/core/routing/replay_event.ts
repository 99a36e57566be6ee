import type { IncomingEvent } from "../frames/client_frame_codec.ts";
import type { OutboundRecord } from "./record_sink.ts";
import type { RouteTable } from "../route_map/route_table.ts";
import { REPLAYED_FROM_HEADER } from "./record_headers.ts";
import { isReject, routeEvent } from "./route_event.ts";

/** A dead letter as replay reads it back: the original event and what the edge stamped on it. */
export interface DeadLetter {
  readonly event: IncomingEvent;
  readonly player: string;
  readonly receivedAtMs: number;
  /** The edge that dead-lettered it: replayed records keep it. */
  readonly edgeId: string;
  /** The edge's span id of the original write, when the event was traced. */
  readonly edgeSpanId?: string;
  /** Where the dead letter sits: `topic/partition/offset`. */
  readonly from: string;
}

/** What replaying one dead letter through a map does: the records it now makes, or why it stays. */
export type ReplayOutcome =
  | { readonly routes: true; readonly records: readonly OutboundRecord[] }
  | { readonly routes: false; readonly reason: string };

/**
 * Runs one dead letter through `table` as the edge would (schemas included) with its original
 * player, received time, edge and trace context. When it now routes to targets, returns their
 * records, each with the original event id and trace headers and `veltrix-replayed-from`; when it
 * is rejected (`SCHEMA_VIOLATION`, `NO_ROUTE`, ...) or would be dead-lettered again
 * (`SCHEMA_VIOLATION` to the bad-event topic, `NO_ROUTE` to the dead-letter topic), says why.
 * Pure: no I/O, no clock.
 */
export function replayDeadLetter(letter: DeadLetter, table: RouteTable, maxEventBytes = Infinity): ReplayOutcome {
  const stamp = {
    player: letter.player,
    receivedAtMs: letter.receivedAtMs,
    edgeId: letter.edgeId,
    routeVersion: table.versionText,
    ...(letter.edgeSpanId === undefined ? {} : { spanIds: () => letter.edgeSpanId! }),
  };
  const routed = routeEvent(letter.event, table, stamp, maxEventBytes);
  if (isReject(routed)) return { routes: false, reason: routed.code };
  if (routed.deadLettered) return { routes: false, reason: "NO_ROUTE" };
  const first = routed.records[0];
  if (first !== undefined && first.topic === table.badEventTopic && routed.records.length === 1) {
    return { routes: false, reason: "SCHEMA_VIOLATION" };
  }
  const records = routed.records.map((record) => ({
    ...record,
    headers: { ...record.headers, [REPLAYED_FROM_HEADER]: letter.from },
  }));
  return { routes: true, records };
}
