import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ErrorCode } from "../core/errors/error_code.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { toConnectError } from "./connect_error.ts";

Deno.test("toConnectError() gives each refusal the Connect code of its error code", () => {
  const expected: [ErrorCode, Code][] = [
    ["MALFORMED_ROUTE_UPDATE", Code.InvalidArgument],
    ["INVALID_ROUTE_MAP", Code.InvalidArgument],
    ["UNKNOWN_SIGNING_KEY", Code.Unauthenticated],
    ["BAD_SIGNATURE", Code.Unauthenticated],
    ["UNAUTHORIZED", Code.Unauthenticated],
    ["STALE_ROUTE_MAP", Code.FailedPrecondition],
    ["ROUTE_UPDATE_TOO_LARGE", Code.ResourceExhausted],
    ["ROUTE_TOPICS_UNAVAILABLE", Code.Unavailable],
    ["INTERNAL", Code.Internal],
  ];
  for (const [code, connectCode] of expected) {
    const error = toConnectError(new VeltrixError(code, "why"));
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, connectCode, code);
    assert.equal(error.rawMessage, `${code}: why`);
    assert.equal(error.metadata.get("veltrix-error-code"), code);
  }
});

Deno.test("toConnectError() appends the problems and sends the version in force as metadata", () => {
  const error = toConnectError(new VeltrixError("INVALID_ROUTE_MAP", "route map is invalid"), {
    problems: [{ path: "routes[0].targets", message: "no targets" }, { path: "version", message: "too low" }],
    currentVersion: 7n,
  });
  assert.equal(
    error.rawMessage,
    "INVALID_ROUTE_MAP: route map is invalid: routes[0].targets: no targets; version: too low",
  );
  assert.equal(error.metadata.get("veltrix-current-version"), "7");
});

Deno.test("toConnectError() turns anything else into INTERNAL, keeping it as the cause", () => {
  const cause = new TypeError("boom");
  const error = toConnectError(cause);
  assert.equal(error.code, Code.Internal);
  assert.equal(error.rawMessage, "INTERNAL: boom");
  assert.ok(error.cause instanceof VeltrixError);
  assert.equal((error.cause as VeltrixError).cause, cause);
});
