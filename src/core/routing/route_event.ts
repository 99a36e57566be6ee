import { buildRecords, type EventRecords } from "./build_records.ts";
import type { IncomingEvent } from "../frames/client_frame_codec.ts";
import type { EventReject } from "../frames/frame_types.ts";
import type { SchemaViolation } from "../schemas/payload_schema.ts";
import type { Resolution, RouteTable, SchemaCheck } from "../route_map/route_table.ts";
import type { EventStamp } from "./routed_event_encoding.ts";
import { BAD_EVENT_HEADERS } from "./record_headers.ts";

/** An event turned into its records, or the reject that stands for it. */
export type RoutedOrRejected = EventRecords | EventReject;

/** True when `routed` is a reject rather than records. */
export function isReject(routed: RoutedOrRejected): routed is EventReject {
  return (routed as EventReject).code !== undefined;
}

/**
 * The per-event routing step: resolves the event's type in `table` and builds one record per
 * target, stamped with `stamp`. An event no route matches under a table without a dead-letter
 * topic is NO_ROUTE; one whose data fails its type's payload schema is SCHEMA_VIOLATION, or one
 * record to the bad-event topic when its routes say DEAD_LETTER; one that cannot be encoded is
 * INVALID_EVENT; one whose routed value exceeds `maxEventBytes` is EVENT_TOO_LARGE. Types without
 * a schema pay one property read for it. Pure: no I/O, no clock.
 */
export function routeEvent(
  event: IncomingEvent,
  table: RouteTable,
  stamp: EventStamp,
  maxEventBytes: number,
): RoutedOrRejected {
  let resolution: Resolution = table.resolve(event.type);
  let violation: SchemaViolation | undefined;
  const schemaCheck = resolution.schemaCheck;
  if (schemaCheck !== undefined) {
    violation = schemaCheck.rule.validator.check(event.data);
    if (violation !== undefined) {
      if (schemaCheck.badEvent === undefined) return schemaReject(event, schemaCheck, violation);
      resolution = schemaCheck.badEvent;
    }
  }
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
  if (violation !== undefined) built = markBadEvent(built, event, schemaCheck!, violation, stamp);
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

function schemaReject(event: IncomingEvent, schema: SchemaCheck, violation: SchemaViolation): EventReject {
  return {
    id: event.id,
    code: "SCHEMA_VIOLATION",
    message:
      `data fails the schema for "${schema.rule.match}" at "${violation.pointer}": ${violation.keyword} (${violation.message})`,
  };
}

/** The records of an event bound for the bad-event topic, with the bad-event headers added. */
function markBadEvent(
  built: EventRecords,
  event: IncomingEvent,
  schema: SchemaCheck,
  violation: SchemaViolation,
  stamp: EventStamp,
): EventRecords {
  const records = built.records.map((record) => ({
    ...record,
    headers: {
      ...record.headers,
      [BAD_EVENT_HEADERS.reason]: "SCHEMA_VIOLATION",
      [BAD_EVENT_HEADERS.pointer]: violation.pointer,
      [BAD_EVENT_HEADERS.keyword]: violation.keyword,
      [BAD_EVENT_HEADERS.schema]: schema.rule.match,
      [BAD_EVENT_HEADERS.type]: event.type,
      [BAD_EVENT_HEADERS.edge]: stamp.edgeId,
    },
  }));
  return { ...built, records };
}
