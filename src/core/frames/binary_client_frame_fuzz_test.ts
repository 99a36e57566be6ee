/**
 * Bounded fuzzing of the hand-written binary ClientFrame reader against protobuf-es: generated
 * frames (repeated, unknown and mistyped fields, groups, data at the depth limits, bad UTF-8),
 * the same mutated, spliced and truncated, and random bytes. The codec must give exactly what
 * the protobuf-es codec gives (the same frame error with the same cause, or the same events and
 * rejects), under the default limits and under tight ones.
 *
 * Every run prints how many inputs it tried. fast-check prints the seed and path of a failure;
 * rerun with `FUZZ_SEED=<seed>` to reproduce it.
 *
 * @module
 */
import fc from "fast-check";
import { assertDecodesLikeProtobufEs, assertReadsLikeProtobufEs } from "./testing/codec_equivalence.ts";
import { edits, frameBytes, mutate } from "./testing/frame_arbitraries.ts";
import { fuzz } from "../testing/fuzz.ts";
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from "./client_frame_codec.ts";

const tight: FrameLimits = { maxEventsPerFrame: 2, maxDataDepth: 2 };

function check(bytes: Uint8Array): void {
  assertReadsLikeProtobufEs(bytes);
  assertDecodesLikeProtobufEs(bytes, DEFAULT_FRAME_LIMITS);
  assertDecodesLikeProtobufEs(bytes, tight);
}

Deno.test("decodeBinaryClientFrame() matches the protobuf-es codec on generated frames", () => {
  fuzz("generated protobuf frames", 8_000, frameBytes, check);
});

Deno.test("decodeBinaryClientFrame() matches the protobuf-es codec on mutated frames", () => {
  fuzz(
    "mutated protobuf frames",
    10_000,
    fc.tuple(frameBytes, edits),
    ([bytes, changes]) => check(mutate(bytes, changes)),
  );
});

Deno.test("decodeBinaryClientFrame() matches the protobuf-es codec on spliced, truncated and random bytes", () => {
  const bytes = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.tuple(frameBytes, frameBytes, fc.nat()).map(([a, b, at]) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a);
        joined.set(b, a.length);
        // Splice b into a, or cut the join anywhere.
        return at % 2 === 0 ? joined : joined.subarray(0, at % (joined.length + 1));
      }),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    // Random bytes that start like a frame with one event.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => Uint8Array.of(0x0a, b.length, ...b)) },
  );
  fuzz("spliced, truncated and random bytes", 10_000, bytes, check);
});
