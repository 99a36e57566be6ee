import { Format, KeyStrategy } from "../../gen/veltrix/v1/route_map_pb.ts";
import type { IncomingEvent } from "../frames/client_frame_codec.ts";
import type { OutboundRecord } from "./record_sink.ts";
import type { Resolution } from "../route_map/route_table.ts";
import { encodeRoutedEventBinary, encodeRoutedEventJson, type EventStamp } from "./routed_event_encoding.ts";
import { CANARY_HEADER, EDGE_SPAN_ID_HEADER } from "./record_headers.ts";

/** Content type header of protobuf record values. */
export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf; messageType=veltrix.v1.RoutedEvent";
/** Content type header of JSON record values. */
export const JSON_CONTENT_TYPE = "application/json; messageType=veltrix.v1.RoutedEvent";

/** The records of one event, and roughly how many bytes they take. */
export interface EventRecords {
  readonly records: OutboundRecord[];
  readonly bytes: number;
  /** True when no route matched and the records go to the dead-letter topic. */
  readonly deadLettered: boolean;
}

/**
 * Turns one routed event into its Kafka records, one per target. Each value encoding is made at
 * most once per event, however many targets share it.
 */
export function buildRecords(event: IncomingEvent, resolution: Resolution, stamp: EventStamp): EventRecords {
  const binary = resolution.needsProtobuf ? encodeRoutedEventBinary(event, stamp) : undefined;
  const json = resolution.needsJson ? encodeRoutedEventJson(event, stamp) : undefined;
  const edgeSpanId = event.traceparent === undefined ? undefined : stamp.spanIds?.();
  const binaryHeaders = binary === undefined ? undefined : headers(event, stamp, PROTOBUF_CONTENT_TYPE, edgeSpanId);
  const jsonHeaders = json === undefined ? undefined : headers(event, stamp, JSON_CONTENT_TYPE, edgeSpanId);
  const records: OutboundRecord[] = [];
  let bytes = 0;
  for (const target of resolution.targets) {
    const asJson = target.format === Format.JSON;
    const value = asJson ? json! : binary!;
    const key = recordKey(target.key, event, stamp);
    records.push({ topic: target.topic, key, value, headers: asJson ? jsonHeaders! : binaryHeaders! });
    bytes += value.length + (key?.length ?? 0) + 128;
  }
  return { records, bytes, deadLettered: resolution.deadLettered };
}

function recordKey(strategy: KeyStrategy, event: IncomingEvent, stamp: EventStamp): string | null {
  switch (strategy) {
    case KeyStrategy.EVENT_TYPE:
      return event.type;
    case KeyStrategy.EVENT_ID:
      return event.id;
    case KeyStrategy.NONE:
      return null;
    default:
      return stamp.player;
  }
}

/**
 * The three headers of a record, {@link CANARY_HEADER} when a canary map routed it, and the trace context when the event has one: the client's
 * `traceparent` and `tracestate` as sent, and the edge's span id ({@link EDGE_SPAN_ID_HEADER}). The
 * event's type and player are not repeated as headers: they are in every value
 * (`RoutedEvent.event.type`, `RoutedEvent.player`), and kafkajs encodes each header with its own
 * encoder and buffers, which cost a third as much CPU as the rest of the record.
 */
function headers(
  event: IncomingEvent,
  stamp: EventStamp,
  contentType: string,
  edgeSpanId: string | undefined,
): Record<string, string> {
  // The names are record_headers.ts's (build_records_test holds them to it), written as literal
  // keys so that V8 builds each headers object from one boilerplate.
  const headers: Record<string, string> = {
    "veltrix-event-id": event.id,
    "veltrix-route-version": stamp.routeVersion,
    "content-type": contentType,
  };
  if (stamp.canary === true) headers[CANARY_HEADER] = "true";
  if (event.traceparent === undefined) return headers;
  headers.traceparent = event.traceparent;
  if (event.tracestate !== undefined) headers.tracestate = event.tracestate;
  if (edgeSpanId !== undefined) headers[EDGE_SPAN_ID_HEADER] = edgeSpanId;
  return headers;
}
