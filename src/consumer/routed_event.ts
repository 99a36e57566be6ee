import type { JsonValue } from "@bufbuild/protobuf";
import type { EventTrace } from "./event_trace.ts";

/** How a record's value was written: the target's `format` in the route map. */
export type RecordFormat = "protobuf" | "json";

/**
 * One event as a consumer sees it: the client's event, what the edge stamped on it, and the
 * record format it came in. The same for protobuf and JSON records.
 */
export interface RoutedEvent {
  /** The client-chosen event id, unique per player: the key to dedupe on. */
  readonly id: string;
  /** The event type, e.g. `treasure.collected`. */
  readonly type: string;
  /** The payload, any JSON value, or undefined when the client sent none. */
  readonly data: JsonValue | undefined;
  /** The authenticated player (the token's subject). */
  readonly player: string;
  /** When the edge received the frame. */
  readonly receivedAt: Date;
  /** Which edge process routed the event. */
  readonly edgeId: string;
  /** The version of the route map that routed the event. */
  readonly routeVersion: bigint;
  /** How the record value was encoded. */
  readonly format: RecordFormat;
  /** The W3C trace context the client sent, with the edge's span; absent when there was none. */
  readonly trace?: EventTrace;
}

/** A record as any Kafka client reads it: the value and the headers as strings. */
export interface VeltrixRecordInput {
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, string | undefined>>;
}
