import type { JsonValue } from "@bufbuild/protobuf";
import { type BinaryClientFrame, readBinaryClientFrameWithToken } from "./binary_client_frame.ts";
import { writeBinaryServerFrame } from "./binary_server_frame.ts";
import { eventDataProblem, eventIdProblem, eventTypeProblem, MAX_DATA_DEPTH } from "./event_constraints.ts";
import { eventTraceFields } from "./trace_context.ts";
import type { EventReject, ServerReply } from "./frame_types.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

/** A well-formed event from a client frame, before routing. */
export interface IncomingEvent {
  readonly id: string;
  readonly type: string;
  /** Any JSON value, or undefined when the client sent none. */
  readonly data: JsonValue | undefined;
  /**
   * The client's W3C traceparent, only when it was valid (see `trace_context.ts`); the key is
   * absent otherwise.
   */
  readonly traceparent?: string;
  /** The tracestate that came with a valid traceparent, when it was valid too; absent otherwise. */
  readonly tracestate?: string;
}

/**
 * A client frame split into the events to route and the events rejected while reading it, and the
 * fresh token of an in-band refresh when the frame carries one (the key is absent otherwise).
 */
export interface DecodedClientFrame {
  readonly events: IncomingEvent[];
  readonly rejects: EventReject[];
  /** A refresh token, applied before the events; absent when the frame has none (or an empty one). */
  readonly token?: string;
}

/** What a frame may hold. */
export interface FrameLimits {
  /** Events per frame; more is a TOO_MANY_EVENTS frame error. @default 500 */
  readonly maxEventsPerFrame: number;
  /** Nesting of arrays and objects in an event's data; deeper is a DATA_TOO_DEEP reject. @default 32 */
  readonly maxDataDepth: number;
}

/** The limits used when a caller gives none. */
export const DEFAULT_FRAME_LIMITS: FrameLimits = Object.freeze({
  maxEventsPerFrame: 500,
  maxDataDepth: MAX_DATA_DEPTH,
});

/**
 * Reads a JSON text frame: `{"events":[{"id":"e-1","type":"treasure.collected","data":{}}]}`. An
 * event may carry `traceparent` and `tracestate` (W3C trace context); invalid ones are dropped. A
 * frame may carry `"token"`, a fresh JWT (an in-band refresh); with it, `"events"` may be left out.
 * Throws a VeltrixError with code INVALID_FRAME when the frame as a whole cannot be read, or
 * TOO_MANY_EVENTS past `limits.maxEventsPerFrame`; a bad event only becomes a reject (INVALID_EVENT or
 * DATA_TOO_DEEP), and the others go on.
 */
export function decodeJsonClientFrame(text: string, limits: FrameLimits = DEFAULT_FRAME_LIMITS): DecodedClientFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new VeltrixError("INVALID_FRAME", "frame is not valid JSON", { cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new VeltrixError("INVALID_FRAME", 'frame must be a JSON object with an "events" array');
  }
  const { events: given, token } = parsed as { events?: unknown; token?: unknown };
  if (token !== undefined && typeof token !== "string") {
    throw new VeltrixError("INVALID_FRAME", 'frame "token" must be a string');
  }
  const refresh = token === undefined || token === "" ? undefined : token;
  const list = given === undefined && refresh !== undefined ? [] : given;
  if (!Array.isArray(list)) {
    throw new VeltrixError("INVALID_FRAME", 'frame must have an "events" array');
  }
  if (list.length > limits.maxEventsPerFrame) {
    throw new VeltrixError(
      "TOO_MANY_EVENTS",
      `frame has ${list.length} events; at most ${limits.maxEventsPerFrame} are taken`,
    );
  }
  const events: IncomingEvent[] = [];
  const rejects: EventReject[] = [];
  for (const item of list as unknown[]) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      rejects.push({ id: "", code: "INVALID_EVENT", message: "event must be a JSON object" });
      continue;
    }
    const { id, type, data, traceparent, tracestate } = item as {
      id?: unknown;
      type?: unknown;
      data?: JsonValue;
      traceparent?: unknown;
      tracestate?: unknown;
    };
    const problem = eventIdProblem(id) ?? eventTypeProblem(type);
    if (problem !== undefined) {
      rejects.push({ id: typeof id === "string" ? id : "", code: "INVALID_EVENT", message: problem });
      continue;
    }
    const deep = eventDataProblem(data, limits.maxDataDepth);
    if (deep !== undefined) {
      rejects.push({ id: id as string, code: "DATA_TOO_DEEP", message: deep });
      continue;
    }
    events.push(
      traceparent === undefined
        ? { id: id as string, type: type as string, data }
        : { id: id as string, type: type as string, data, ...eventTraceFields(traceparent, tracestate) },
    );
  }
  return refresh === undefined ? { events, rejects } : { events, rejects, token: refresh };
}

/**
 * Reads a binary frame holding a protobuf `veltrix.v1.ClientFrame`. Throws a VeltrixError with
 * code INVALID_FRAME when the bytes are not one, or TOO_MANY_EVENTS past `limits.maxEventsPerFrame`; a
 * bad event only becomes a reject (INVALID_EVENT, also for data with no JSON form such as NaN,
 * or DATA_TOO_DEEP), and the others go on. The data is read straight into JSON by the hand-written
 * reader, which accepts and refuses exactly what protobuf-es `fromBinary` and `toJson` do.
 */
export function decodeBinaryClientFrame(
  bytes: Uint8Array,
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): DecodedClientFrame {
  let read: BinaryClientFrame;
  try {
    read = readBinaryClientFrameWithToken(bytes);
  } catch (cause) {
    throw new VeltrixError("INVALID_FRAME", "frame is not a protobuf ClientFrame", { cause });
  }
  const frame = read.events;
  if (frame.length > limits.maxEventsPerFrame) {
    throw new VeltrixError(
      "TOO_MANY_EVENTS",
      `frame has ${frame.length} events; at most ${limits.maxEventsPerFrame} are taken`,
    );
  }
  const events: IncomingEvent[] = [];
  const rejects: EventReject[] = [];
  for (const event of frame) {
    const problem = eventIdProblem(event.id) ?? eventTypeProblem(event.type);
    if (problem !== undefined) {
      rejects.push({ id: event.id, code: "INVALID_EVENT", message: problem });
      continue;
    }
    if (event.dataProblem !== undefined) {
      const message = `data is not representable as JSON: ${event.dataProblem}`;
      rejects.push({ id: event.id, code: "INVALID_EVENT", message });
      continue;
    }
    // The reader bounds the nesting as it goes; only data that may be too deep is walked.
    const dataProblem = event.depthBound > limits.maxDataDepth
      ? eventDataProblem(event.data, limits.maxDataDepth)
      : undefined;
    if (dataProblem !== undefined) {
      rejects.push({ id: event.id, code: "DATA_TOO_DEEP", message: dataProblem });
      continue;
    }
    events.push(
      event.traceparent === "" ? { id: event.id, type: event.type, data: event.data } : {
        id: event.id,
        type: event.type,
        data: event.data,
        ...eventTraceFields(event.traceparent, event.tracestate),
      },
    );
  }
  return read.token === "" ? { events, rejects } : { events, rejects, token: read.token };
}

/** Writes a reply as a JSON text frame. Empty parts are left out. */
export function encodeJsonServerFrame(reply: ServerReply): string {
  return JSON.stringify(reply);
}

/**
 * Writes a reply as a protobuf `veltrix.v1.ServerFrame`, byte for byte what protobuf-es `toBinary`
 * would write. Empty parts are left out; a retry hint is rounded up and clamped to a uint32. The
 * bytes are a view into a buffer shared with other replies (never written again): send or copy
 * the view, not its `buffer`.
 */
export function encodeBinaryServerFrame(reply: ServerReply): Uint8Array {
  return writeBinaryServerFrame(reply);
}
