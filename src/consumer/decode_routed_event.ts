import { fromBinary, fromJsonString, type JsonValue, toJson } from "@bufbuild/protobuf";
import { timestampMs, ValueSchema } from "@bufbuild/protobuf/wkt";
import { JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, VeltrixError } from "../core/mod.ts";
import { type RoutedEvent as RoutedEventMessage, RoutedEventSchema } from "../gen/veltrix/v1/event_pb.ts";
import { eventTraceOf } from "./event_trace.ts";
import type { RecordFormat, RoutedEvent, VeltrixRecordInput } from "./routed_event.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The record format named by a `content-type` header, or undefined when it is no Veltrix one. */
export function formatOfContentType(contentType: string | undefined): RecordFormat | undefined {
  if (contentType === PROTOBUF_CONTENT_TYPE) return "protobuf";
  if (contentType === JSON_CONTENT_TYPE) return "json";
  return undefined;
}

/**
 * Decodes a Veltrix record into a {@link RoutedEvent}, in whichever format its `content-type`
 * header names (protobuf or JSON). Throws a VeltrixError with code INVALID_RECORD when the record is
 * not one: no or another content type, no value, a value that does not decode, or no event id or
 * type.
 *
 * @example
 * ```ts
 * import { decodeRoutedEvent } from "./decode_routed_event.ts";
 * const value = new TextEncoder().encode('{"event":{"id":"e-1","type":"a.b"},"player":"p1"}');
 * const headers = { "content-type": "application/json; messageType=veltrix.v1.RoutedEvent" };
 * decodeRoutedEvent({ value, headers }).player; // "p1"
 * ```
 */
export function decodeRoutedEvent(record: VeltrixRecordInput): RoutedEvent {
  const contentType = record.headers["content-type"];
  const format = formatOfContentType(contentType);
  if (format === undefined) {
    const shown = contentType === undefined ? "no content-type header" : `content-type ${JSON.stringify(contentType)}`;
    throw new VeltrixError("INVALID_RECORD", `not a Veltrix record: ${shown}`);
  }
  if (record.value === null || record.value.length === 0) {
    throw new VeltrixError("INVALID_RECORD", `not a Veltrix record: the ${format} record has no value`);
  }
  let message: RoutedEventMessage;
  let data: JsonValue | undefined;
  try {
    message = format === "protobuf"
      ? fromBinary(RoutedEventSchema, record.value)
      : fromJsonString(RoutedEventSchema, decoder.decode(record.value));
    data = message.event?.data === undefined ? undefined : toJson(ValueSchema, message.event.data);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new VeltrixError(
      "INVALID_RECORD",
      `not a Veltrix record: the value is no ${format} RoutedEvent (${reason})`,
      {
        cause,
      },
    );
  }
  const event = message.event;
  if (event === undefined || event.id === "" || event.type === "") {
    throw new VeltrixError("INVALID_RECORD", "not a Veltrix record: the RoutedEvent has no event id or type");
  }
  const trace = eventTraceOf(record.headers, event);
  const decoded: RoutedEvent = {
    id: event.id,
    type: event.type,
    data,
    player: message.player,
    receivedAt: new Date(message.receivedAt === undefined ? 0 : timestampMs(message.receivedAt)),
    edgeId: message.edgeId,
    routeVersion: message.routeVersion,
    format,
  };
  return trace === undefined ? decoded : { ...decoded, trace };
}
