/**
 * Encoders for the `veltrix.v1.RoutedEvent` record value, written straight from the incoming
 * event and the edge's stamp, without building protobuf messages on the hot path. Their output is
 * the same as protobuf-es `toBinary` and `toJsonString` of the equivalent message (the tests
 * check that).
 *
 * @module
 */
import type { JsonValue } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { IncomingEvent } from "../frames/client_frame_codec.ts";

/** What the edge stamps on every event it routes. */
export interface EventStamp {
  /** The authenticated player (the token's subject). */
  readonly player: string;
  /** When the frame arrived, in milliseconds since the epoch. */
  readonly receivedAtMs: number;
  readonly edgeId: string;
  /** The route map version, as a decimal string. */
  readonly routeVersion: string;
  /** True when the event was routed by a canary map: its records carry {@link CANARY_HEADER}. */
  readonly canary?: boolean;
  /**
   * Makes the edge's span id for an event that carries a traceparent (see `SpanIdGenerator`);
   * without it, such records carry the client's trace context but no edge span.
   */
  readonly spanIds?: () => string;
}

/** Reused between calls: `finish()` leaves it empty. A call that throws replaces it (see below). */
let writer = new BinaryWriter();

/** Encodes a RoutedEvent in protobuf binary form. */
export function encodeRoutedEventBinary(event: IncomingEvent, stamp: EventStamp): Uint8Array {
  try {
    return writeRoutedEvent(writer, event, stamp);
  } catch (error) {
    // Half-written bytes must never lead the next record: start over with a fresh writer.
    writer = new BinaryWriter();
    throw error;
  }
}

function writeRoutedEvent(w: BinaryWriter, event: IncomingEvent, stamp: EventStamp): Uint8Array {
  w.tag(1, WireType.LengthDelimited).fork();
  if (event.id !== "") w.tag(1, WireType.LengthDelimited).string(event.id);
  if (event.type !== "") w.tag(2, WireType.LengthDelimited).string(event.type);
  if (event.data !== undefined) {
    w.tag(3, WireType.LengthDelimited).fork();
    writeValueBody(w, event.data);
    w.join();
  }
  if (event.traceparent !== undefined && event.traceparent !== "") {
    w.tag(4, WireType.LengthDelimited).string(event.traceparent);
  }
  if (event.tracestate !== undefined && event.tracestate !== "") {
    w.tag(5, WireType.LengthDelimited).string(event.tracestate);
  }
  w.join();
  if (stamp.player !== "") w.tag(2, WireType.LengthDelimited).string(stamp.player);
  const seconds = Math.floor(stamp.receivedAtMs / 1000);
  const nanos = (stamp.receivedAtMs - seconds * 1000) * 1_000_000;
  w.tag(3, WireType.LengthDelimited).fork();
  if (seconds !== 0) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
  if (stamp.edgeId !== "") w.tag(4, WireType.LengthDelimited).string(stamp.edgeId);
  if (stamp.routeVersion !== "0") w.tag(5, WireType.Varint).uint64(stamp.routeVersion);
  return w.finish();
}

/** Encodes a RoutedEvent in protobuf JSON form. */
export function encodeRoutedEventJson(event: IncomingEvent, stamp: EventStamp): string {
  return JSON.stringify({
    event: {
      id: event.id,
      type: event.type,
      data: event.data,
      traceparent: event.traceparent || undefined,
      tracestate: event.tracestate || undefined,
    },
    player: stamp.player === "" ? undefined : stamp.player,
    receivedAt: timestampJson(stamp.receivedAtMs),
    edgeId: stamp.edgeId === "" ? undefined : stamp.edgeId,
    routeVersion: stamp.routeVersion === "0" ? undefined : stamp.routeVersion,
  });
}

/** google.protobuf.Timestamp in JSON form, with the fraction protobuf-es would print. */
function timestampJson(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? iso.slice(0, -5) + "Z" : iso;
}

/** Writes the fields of a google.protobuf.Value for a JSON value. */
function writeValueBody(w: BinaryWriter, value: JsonValue): void {
  if (value === null) {
    w.tag(1, WireType.Varint).int32(0);
  } else if (typeof value === "number") {
    w.tag(2, WireType.Bit64).double(value);
  } else if (typeof value === "string") {
    w.tag(3, WireType.LengthDelimited).string(value);
  } else if (typeof value === "boolean") {
    w.tag(4, WireType.Varint).bool(value);
  } else if (Array.isArray(value)) {
    w.tag(6, WireType.LengthDelimited).fork();
    for (const item of value) {
      w.tag(1, WireType.LengthDelimited).fork();
      writeValueBody(w, item);
      w.join();
    }
    w.join();
  } else {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const key in value) {
      const item = value[key];
      if (item === undefined) continue;
      w.tag(1, WireType.LengthDelimited).fork();
      w.tag(1, WireType.LengthDelimited).string(key);
      w.tag(2, WireType.LengthDelimited).fork();
      writeValueBody(w, item);
      w.join();
      w.join();
    }
    w.join();
  }
}
