import { buildRecords, type EventRecords } from "./build_records.ts";
import type { EventReject, IncomingEvent } from "./client_frame_codec.ts";
import type { RouteTable } from "./route_table.ts";
import type { EventStamp } from "./routed_event_encoding.ts";

/** An event turned into its records, or the reject that stands for it. */
export type RoutedOrRejected = EventRecords | EventReject;

/** True when `routed` is a reject rather than records. */
export function isReject(routed: RoutedOrRejected): routed is EventReject {
  return (routed as EventReject).code !== undefined;
}

/**
 * The per-event routing step: resolves the event's type in `table` and builds one record per
 * target, stamped with `stamp`. An event no route matches under a table without a dead-letter
 * topic is NO_ROUTE; one that cannot be encoded is INVALID_EVENT; one whose routed value exceeds
 * `maxEventBytes` is EVENT_TOO_LARGE. Pure: no I/O, no clock.
 */
export function routeEvent(
  event: IncomingEvent,
  table: RouteTable,
  stamp: EventStamp,
  maxEventBytes: number,
): RoutedOrRejected {
  const resolution = table.resolve(event.type);
  if (resolution.targets.length === 0) {
    return {
      id: event.id,
      code: "NO_ROUTE",
      message: `no route matches type "${event.type}" and route map ${table.versionText} has no dead-letter topic`,
    };
  }
  let built: EventRecords;
  try {
    built = buildRecords(event, resolution, stamp);
  } catch (error) {
    return { id: event.id, code: "INVALID_EVENT", message: `event cannot be encoded: ${(error as Error).message}` };
  }
  const eventBytes = built.records[0]!.value.length;
  if (eventBytes > maxEventBytes) {
    return {
      id: event.id,
      code: "EVENT_TOO_LARGE",
      message: `event is ${eventBytes} bytes as routed; the limit is ${maxEventBytes}`,
    };
  }
  return built;
}
