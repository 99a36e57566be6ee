import assert from "node:assert/strict";
import { fromBinary, fromJson, toBinary, toJson } from "@bufbuild/protobuf";
import { ClientFrameSchema } from "../../src/gen/veltrix/v1/event_pb.ts";
import { errorCodes } from "../../src/core/mod.ts";
import { expectationProblems, fromHex, loadProfiles, loadVectors, toHex } from "./vectors.ts";

Deno.test("each vector's protobuf hex is the protobuf-es encoding of its JSON frame", async () => {
  let checked = 0;
  for (const vector of await loadVectors()) {
    for (const [index, { frame }] of vector.steps.entries()) {
      if (frame.json === undefined || frame.protobufHex === undefined) continue;
      const message = fromJson(ClientFrameSchema, JSON.parse(frame.json));
      assert.equal(frame.protobufHex, toHex(toBinary(ClientFrameSchema, message)), `${vector.name} step ${index}`);
      assert.deepEqual(
        toJson(ClientFrameSchema, fromBinary(ClientFrameSchema, fromHex(frame.protobufHex))),
        toJson(ClientFrameSchema, message),
      );
      checked++;
    }
  }
  assert.ok(checked >= 15, `${checked} frames in both encodings`);
});

Deno.test("the vectors cover every reject code an edge can give an event it reads, frame errors, limits, trace context and token refresh", async () => {
  const vectors = await loadVectors();
  const profiles = (await loadProfiles()).profiles;
  const codes = new Set(vectors.flatMap((v) => v.steps.flatMap((s) => (s.expect.rejects ?? []).map((r) => r.code))));
  for (
    const code of [
      "INVALID_EVENT",
      "NO_ROUTE",
      "SCHEMA_VIOLATION",
      "OVERLOADED",
      "RATE_LIMITED",
      "DATA_TOO_DEEP",
      "EVENT_TOO_LARGE",
    ]
  ) {
    assert.ok(codes.has(code), `a vector rejects with ${code}`);
  }
  const errors = new Set(vectors.flatMap((v) => v.steps.flatMap((s) => (s.expect.error ? [s.expect.error.code] : []))));
  for (const code of ["INVALID_FRAME", "TOO_MANY_EVENTS", "FRAME_TOO_LARGE", "UNAUTHORIZED"]) {
    assert.ok(errors.has(code), code);
  }
  assert.ok(vectors.some((v) => v.steps.some((s) => s.expect.session)), "a vector gets a session reply");
  for (const tag of ["ack", "reject", "frame-error", "limits", "trace", "refresh"]) {
    assert.ok(vectors.some((v) => v.tags.includes(tag)), `a vector tagged ${tag}`);
  }
  for (const vector of vectors) {
    assert.ok(vector.profile in profiles, `${vector.name}: profile ${vector.profile}`);
    for (const step of vector.steps) {
      for (const code of [...(step.expect.rejects ?? []).map((r) => r.code), step.expect.error?.code]) {
        if (code !== undefined) assert.ok(code in errorCodes, `${vector.name}: ${code} is an error code`);
      }
    }
  }
});

Deno.test("expectationProblems() names a missing ack, a wrong code, a wrong hint and a missing close", () => {
  const expect = {
    acks: ["a"],
    rejects: [{ id: "b", code: "OVERLOADED", retryAfterMs: 250 }],
    close: 1009,
  };
  assert.deepEqual(
    expectationProblems(expect, {
      replies: [{ acks: ["a"] }, { rejects: [{ id: "b", code: "OVERLOADED", retryAfterMs: 250 }] }],
      close: 1009,
    }),
    [],
  );
  assert.deepEqual(
    expectationProblems(expect, { replies: [{ rejects: [{ id: "b", code: "NO_ROUTE", retryAfterMs: 9 }] }] }),
    [
      'acks [], expected ["a"]',
      'reject of "b": NO_ROUTE, expected OVERLOADED',
      'reject of "b": retryAfterMs 9, expected 250',
      "close undefined, expected 1009",
    ],
  );
});
