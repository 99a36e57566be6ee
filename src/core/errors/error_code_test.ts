import assert from "node:assert/strict";
import {
  closeFrameOf,
  type ClosingErrorCode,
  type ErrorCode,
  errorCodes,
  httpStatusOf,
  isErrorCode,
  rpcCodeOf,
} from "./error_code.ts";

const codes = Object.keys(errorCodes) as ErrorCode[];

Deno.test("httpStatusOf() answers every code with a 4xx or 5xx status", () => {
  for (const code of codes) {
    const status = httpStatusOf(code);
    assert.ok(status >= 400 && status < 600, `${code}: ${status}`);
  }
});

Deno.test("httpStatusOf() gives the route-update refusals their documented statuses", () => {
  assert.deepEqual(
    ([
      "MALFORMED_ROUTE_UPDATE",
      "BAD_SIGNATURE",
      "STALE_ROUTE_MAP",
      "ROUTE_UPDATE_TOO_LARGE",
      "INVALID_ROUTE_MAP",
    ] as const)
      .map(httpStatusOf),
    [400, 401, 409, 413, 422],
  );
  assert.equal(httpStatusOf("UPGRADE_REQUIRED"), 426);
  assert.equal(httpStatusOf("TOO_MANY_PLAYER_CONNECTIONS"), 429);
});

Deno.test("rpcCodeOf() maps refusals to the Connect code a client can act on", () => {
  assert.equal(rpcCodeOf("STALE_ROUTE_MAP"), "failed_precondition");
  assert.equal(rpcCodeOf("BAD_SIGNATURE"), "unauthenticated");
  assert.equal(rpcCodeOf("UNAUTHORIZED"), "unauthenticated");
  assert.equal(rpcCodeOf("INVALID_ROUTE_MAP"), "invalid_argument");
  assert.equal(rpcCodeOf("ROUTE_TOPICS_UNAVAILABLE"), "unavailable");
});

Deno.test("closeFrameOf() closes with the table's code and the error code as the reason", () => {
  assert.deepEqual(closeFrameOf("FRAME_TOO_LARGE"), { code: 1009, reason: "FRAME_TOO_LARGE" });
  assert.deepEqual(closeFrameOf("RATE_LIMITED"), { code: 1008, reason: "RATE_LIMITED" });
  assert.deepEqual(closeFrameOf("IDLE_TIMEOUT"), { code: 1000, reason: "IDLE_TIMEOUT" });
  assert.deepEqual(closeFrameOf("SHUTTING_DOWN"), { code: 1001, reason: "SHUTTING_DOWN" });
  assert.deepEqual(closeFrameOf("TOKEN_EXPIRED"), { code: 4001, reason: "TOKEN_EXPIRED" });
  assert.deepEqual(closeFrameOf("UNAUTHORIZED"), { code: 4003, reason: "UNAUTHORIZED" });
});

Deno.test("closeFrameOf() knows every code that has a close code, and each reason fits a close frame", () => {
  const closing = codes.filter((code) => errorCodes[code].close !== undefined) as ClosingErrorCode[];
  assert.deepEqual(closing.sort(), [
    "FRAME_TOO_LARGE",
    "IDLE_TIMEOUT",
    "RATE_LIMITED",
    "SHUTTING_DOWN",
    "TOKEN_EXPIRED",
    "UNAUTHORIZED",
  ]);
  for (const code of closing) {
    const frame = closeFrameOf(code);
    // Standard codes, or the 4000-4999 range kept for applications (token expiry and refusal).
    const standard = frame.code === 1000 || (frame.code >= 1001 && frame.code <= 1014);
    assert.ok(standard || (frame.code >= 4000 && frame.code <= 4999), `${code}: ${frame.code}`);
    assert.ok(new TextEncoder().encode(frame.reason).length <= 123, "a close reason is at most 123 bytes");
  }
});

Deno.test("isErrorCode() knows the table's codes and nothing else", () => {
  assert.ok(isErrorCode("NO_ROUTE"));
  assert.ok(!isErrorCode("toString"));
  assert.ok(!isErrorCode("no_route"));
});
