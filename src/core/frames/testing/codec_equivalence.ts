/**
 * Test helper: the checks that hold the hand-written binary frame reader and decoder to protobuf-es
 * (same events, same data with the same key order, same errors).
 *
 * @module
 */
import assert from "node:assert/strict";
import { fromBinary, type JsonValue, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema } from "../../../gen/veltrix/v1/event_pb.ts";
import { decodeBinaryClientFrameWithProtobufEs } from "./protobuf_es_codec.ts";
import { readBinaryClientFrameWithToken } from "../binary_client_frame.ts";
import { decodeBinaryClientFrame, type FrameLimits } from "../client_frame_codec.ts";

/** What protobuf-es makes of ClientFrame bytes, in the shape the hand-written reader returns. */
function referenceRead(bytes: Uint8Array) {
  const frame = fromBinary(ClientFrameSchema, bytes);
  const events = frame.events.map((event) => {
    let data: JsonValue | undefined;
    let dataProblem: string | undefined;
    if (event.data !== undefined) {
      try {
        data = toJson(ValueSchema, event.data);
      } catch (error) {
        dataProblem = (error as Error).message;
      }
    }
    return {
      id: event.id,
      type: event.type,
      data,
      dataProblem,
      traceparent: event.traceparent,
      tracestate: event.tracestate,
    };
  });
  return { events, token: frame.token };
}

type Outcome<T> = { readonly value: T } | { readonly error: unknown };

function attempt<T>(run: () => T): Outcome<T> {
  try {
    return { value: run() };
  } catch (error) {
    return { error };
  }
}

/** An error as far as a caller can tell: its class, message and code, and the same of its cause. */
function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return { thrown: error };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.constructor.name,
    message: error.message,
    code,
    cause: error.cause && describeError(error.cause),
  };
}

/** How deeply arrays and objects nest in `value` (a scalar is 0). */
export function nesting(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, nesting(child));
  return deepest + 1;
}

/** Data as text that shows key order (JSON.stringify keeps it, an own `__proto__` key included). */
function ordered(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/**
 * readBinaryClientFrame() reads `bytes` exactly as protobuf-es fromBinary and toJson do: the same
 * error, or the same events with the same data (key order included) or the same data problem,
 * and a depth bound that holds.
 */
export function assertReadsLikeProtobufEs(bytes: Uint8Array): void {
  const expected = attempt(() => referenceRead(bytes));
  const actual = attempt(() => readBinaryClientFrameWithToken(bytes));
  if ("error" in expected || "error" in actual) {
    assert.ok("error" in expected && "error" in actual, "one of the readers threw and the other did not");
    assert.deepEqual(describeError(actual.error), describeError(expected.error));
    return;
  }
  assert.equal(actual.value.token, expected.value.token, "refresh token");
  assert.equal(actual.value.events.length, expected.value.events.length, "event count");
  actual.value.events.forEach((got, i) => {
    const want = expected.value.events[i]!;
    assert.equal(got.id, want.id);
    assert.equal(got.type, want.type);
    assert.equal(got.traceparent, want.traceparent);
    assert.equal(got.tracestate, want.tracestate);
    assert.equal(got.dataProblem, want.dataProblem);
    if (want.dataProblem !== undefined) return;
    assert.deepEqual(got.data, want.data);
    assert.equal(ordered(got.data), ordered(want.data), "key order");
    assert.ok(got.depthBound >= nesting(got.data), `depth bound ${got.depthBound} below ${nesting(got.data)}`);
  });
}

/**
 * decodeBinaryClientFrame() gives exactly what the protobuf-es codec gives for `bytes`: the same
 * VeltrixError (code, message, cause), or the same events (key order included) and rejects.
 */
export function assertDecodesLikeProtobufEs(bytes: Uint8Array, limits?: FrameLimits): void {
  const expected = attempt(() => decodeBinaryClientFrameWithProtobufEs(bytes, limits));
  const actual = attempt(() => decodeBinaryClientFrame(bytes, limits));
  if ("error" in expected || "error" in actual) {
    assert.ok("error" in expected && "error" in actual, "one of the decoders threw and the other did not");
    assert.deepEqual(describeError(actual.error), describeError(expected.error));
    return;
  }
  assert.deepEqual(actual.value, expected.value);
  assert.deepEqual(actual.value.events.map((e) => ordered(e.data)), expected.value.events.map((e) => ordered(e.data)));
}
