/**
 * The header names of the Kafka records Veltrix writes, in one place: on every routed record, on
 * records of the bad-event topic, and on the route map topic. Consumers read the same names.
 *
 * @module
 */

/** The event's id as the client sent it: what consumers dedupe on. */
export const EVENT_ID_HEADER = "veltrix-event-id";
/** The version of the route map that routed the event (decimal). */
export const ROUTE_VERSION_HEADER = "veltrix-route-version";
/** The value's encoding: JSON or protobuf `veltrix.v1.RoutedEvent`. */
export const CONTENT_TYPE_HEADER = "content-type";
/** Set (value `"true"`) on records routed by a canary map; stable records have none. */
export const CANARY_HEADER = "veltrix-canary";
/** The client's W3C trace context, as sent, when it was valid. */
export const TRACEPARENT_HEADER = "traceparent";
export const TRACESTATE_HEADER = "tracestate";
/** The edge's span id, beside the client's `traceparent`. */
export const EDGE_SPAN_ID_HEADER = "veltrix-edge-span-id";
/** The edge that wrote the record (bad-event and route map topic records). */
export const EDGE_ID_HEADER = "veltrix-edge-id";

/** Record headers of a bad event: why it is there, without decoding the value. */
export const BAD_EVENT_HEADERS = Object.freeze({
  reason: "veltrix-reason",
  pointer: "veltrix-schema-pointer",
  keyword: "veltrix-schema-keyword",
  schema: "veltrix-schema-match",
  type: "veltrix-event-type",
  edge: EDGE_ID_HEADER,
});
/** On a replayed record: where the dead letter it came from sits, `topic/partition/offset`. */
export const REPLAYED_FROM_HEADER = "veltrix-replayed-from";
