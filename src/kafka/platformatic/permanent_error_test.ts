import assert from "node:assert/strict";
import {
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
  UserError,
} from "@platformatic/kafka";
import { isPermanentPlatformaticError } from "./permanent_error.ts";

const wrapped = (error: Error) =>
  new MultipleErrors("Producing messages failed.", [new MultipleErrors("produce failed 6 times.", [error])]);

Deno.test("isPermanentPlatformaticError() is true for the protocol errors no retry can fix, however deep", () => {
  for (
    const id of ["MESSAGE_TOO_LARGE", "UNKNOWN_TOPIC_OR_PARTITION", "TOPIC_AUTHORIZATION_FAILED", "INVALID_RECORD"]
  ) {
    assert.equal(isPermanentPlatformaticError(new ProtocolError(id)), true, id);
    assert.equal(isPermanentPlatformaticError(wrapped(new ProtocolError(id))), true, `${id}, wrapped`);
  }
  const response = new ResponseError(0, 9, { "/responses/0": [10, "too large"] }, {});
  assert.equal(isPermanentPlatformaticError(wrapped(response)), true, "inside a ResponseError");
});

Deno.test("isPermanentPlatformaticError() is false for network errors, timeouts and leader moves", () => {
  const refused = new NetworkError("Connection to 127.0.0.1:9092 failed.", { cause: new Error("ECONNREFUSED") });
  assert.equal(isPermanentPlatformaticError(wrapped(refused)), false);
  assert.equal(isPermanentPlatformaticError(new TimeoutError("Request timed out", { canRetry: true })), false);
  assert.equal(isPermanentPlatformaticError(wrapped(new ProtocolError("NOT_LEADER_OR_FOLLOWER"))), false);
  assert.equal(
    isPermanentPlatformaticError(new ProtocolError("INVALID_PRODUCER_EPOCH")),
    false,
    "a new producer id fixes it",
  );
  assert.equal(isPermanentPlatformaticError(new Error("anything else")), false);
  assert.equal(isPermanentPlatformaticError(undefined), false);
});

Deno.test("isPermanentPlatformaticError() is true for malformed input", () => {
  assert.equal(isPermanentPlatformaticError(new TypeError("must be an instance of Buffer")), true);
  assert.equal(
    isPermanentPlatformaticError(wrapped(Object.assign(new Error("x"), { cause: new TypeError("y") }))),
    true,
  );
  assert.equal(isPermanentPlatformaticError(new UserError("Failed to serialize a message.")), true);
});

Deno.test("isPermanentPlatformaticError() is false for a client closed under a write (the edge is stopping)", () => {
  const closed = new NetworkError("Client is closed.", { canRetry: false, closed: true });
  assert.equal(isPermanentPlatformaticError(closed), false);
  const closedWhileRetrying = new UserError("Client closed while retrying produce.");
  assert.equal(isPermanentPlatformaticError(wrapped(closedWhileRetrying)), false);
});
