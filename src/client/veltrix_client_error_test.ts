import assert from "node:assert/strict";
import { isRetryableCode, VeltrixClientError } from "./veltrix_client_error.ts";

Deno.test("isRetryableCode() says which reject codes are worth resending, per the edge's code table", () => {
  for (const code of ["OVERLOADED", "KAFKA_WRITE_FAILED", "SHUTTING_DOWN", "NOT_READY", "INTERNAL"]) {
    assert.equal(isRetryableCode(code), true, code);
  }
  for (const code of ["INVALID_EVENT", "NO_ROUTE", "INVALID_FRAME", "UNAUTHORIZED", "SOMETHING_NEW", "toString"]) {
    assert.equal(isRetryableCode(code), false, code);
  }
});

Deno.test("isRetryableCode() knows the client's own codes", () => {
  assert.equal(isRetryableCode("OUTBOX_FULL"), true);
  assert.equal(isRetryableCode("CLOSED"), true);
  assert.equal(isRetryableCode("STORE_FAILED"), false);
});

Deno.test("VeltrixClientError carries code, id and retryable, and is an Error", () => {
  const error = new VeltrixClientError("OVERLOADED", "busy", { id: "e-1", retryAfterMs: 250 });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "VeltrixClientError");
  assert.equal(error.code, "OVERLOADED");
  assert.equal(error.id, "e-1");
  assert.equal(error.retryable, true);
  assert.equal(error.retryAfterMs, 250);
  assert.equal(error.message, "busy");
  assert.equal(new VeltrixClientError("OVERLOADED", "x", { retryable: false }).retryable, false);
});
