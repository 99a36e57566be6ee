/**
 * Test and bench helper: the binary client-frame codec as it was built on protobuf-es
 * (`fromBinary` and `toJson` to read a ClientFrame, `create` and `toBinary` to write a
 * ServerFrame). The hand-written codec must behave exactly like it; the equivalence tests and the
 * codec bench compare against it.
 *
 * @module
 */
import { create, fromBinary, type JsonValue, toBinary, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema, ServerFrameSchema } from "../../../gen/veltrix/v1/event_pb.ts";
import {
  type DecodedClientFrame,
  DEFAULT_FRAME_LIMITS,
  type FrameLimits,
  type IncomingEvent,
} from "../client_frame_codec.ts";
import type { EventReject, ServerReply } from "../frame_types.ts";
import { eventDataProblem, eventIdProblem, eventTypeProblem } from "../event_constraints.ts";
import { eventTraceFields } from "../trace_context.ts";
import { VeltrixError } from "../../errors/veltrix_error.ts";

/** `decodeBinaryClientFrame` on protobuf-es: the reference the hand-written reader must match. */
export function decodeBinaryClientFrameWithProtobufEs(
  bytes: Uint8Array,
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): DecodedClientFrame {
  let frame;
  try {
    frame = fromBinary(ClientFrameSchema, bytes);
  } catch (cause) {
    throw new VeltrixError("INVALID_FRAME", "frame is not a protobuf ClientFrame", { cause });
  }
  if (frame.events.length > limits.maxEventsPerFrame) {
    throw new VeltrixError(
      "TOO_MANY_EVENTS",
      `frame has ${frame.events.length} events; at most ${limits.maxEventsPerFrame} are taken`,
    );
  }
  const events: IncomingEvent[] = [];
  const rejects: EventReject[] = [];
  for (const event of frame.events) {
    const problem = eventIdProblem(event.id) ?? eventTypeProblem(event.type);
    if (problem !== undefined) {
      rejects.push({ id: event.id, code: "INVALID_EVENT", message: problem });
      continue;
    }
    let data: JsonValue | undefined;
    if (event.data !== undefined) {
      try {
        data = toJson(ValueSchema, event.data);
      } catch (cause) {
        const message = `data is not representable as JSON: ${(cause as Error).message}`;
        rejects.push({ id: event.id, code: "INVALID_EVENT", message });
        continue;
      }
    }
    const dataProblem = eventDataProblem(data, limits.maxDataDepth);
    if (dataProblem !== undefined) {
      rejects.push({ id: event.id, code: "DATA_TOO_DEEP", message: dataProblem });
      continue;
    }
    events.push({ id: event.id, type: event.type, data, ...eventTraceFields(event.traceparent, event.tracestate) });
  }
  return frame.token === "" ? { events, rejects } : { events, rejects, token: frame.token };
}

/** `encodeBinaryServerFrame` on protobuf-es: the reference the hand-written writer must match byte for byte. */
export function encodeBinaryServerFrameWithProtobufEs(reply: ServerReply): Uint8Array {
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, {
      acks: reply.acks ? [...reply.acks] : [],
      rejects: reply.rejects?.map((r) => ({
        id: r.id,
        code: r.code,
        message: r.message,
        retryAfterMs: Math.min(Math.max(Math.ceil(r.retryAfterMs ?? 0), 0), 0xffff_ffff) || 0, // a uint32 on the wire
      })) ??
        [],
      ...(reply.error ? { error: { code: reply.error.code, message: reply.error.message } } : {}),
      ...(reply.session
        ? { session: { expiresAt: Math.min(Math.max(Math.ceil(reply.session.expiresAt), 0), 0xffff_ffff) || 0 } }
        : {}),
    }),
  );
}
