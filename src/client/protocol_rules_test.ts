import assert from "node:assert/strict";
import { errorCodes } from "../core/errors/error_code.ts";
import { eventIdProblem, MAX_EVENT_ID_LENGTH as EDGE_MAX_ID } from "../core/frames/event_constraints.ts";
import { idProblem, MAX_EVENT_ID_LENGTH, RETRYABLE_EDGE_CODES } from "./protocol_rules.ts";

Deno.test("the SDK's retryable codes are the edge's", () => {
  const edge = Object.entries(errorCodes).filter(([, spec]) => spec.retryable).map(([code]) => code).sort();
  assert.deepEqual([...RETRYABLE_EDGE_CODES].sort(), edge);
});

Deno.test("the SDK takes exactly the event ids the edge takes", () => {
  assert.equal(MAX_EVENT_ID_LENGTH, EDGE_MAX_ID);
  for (const id of [undefined, 7, "", "a", "x".repeat(EDGE_MAX_ID), "x".repeat(EDGE_MAX_ID + 1)]) {
    assert.equal(idProblem(id) === undefined, eventIdProblem(id) === undefined, `id ${JSON.stringify(id)}`);
  }
});
