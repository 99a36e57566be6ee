import assert from "node:assert/strict";
import { mayHaveLanded, produceOutcome } from "./produce_outcome.ts";

Deno.test("produceOutcome() follows docs/kafka-idempotence.md for each answer", () => {
  const rules: [string, string, boolean][] = [
    ["NONE", "written", false],
    ["DUPLICATE_SEQUENCE_NUMBER", "written", false],
    ["NOT_LEADER_OR_FOLLOWER", "resend", false],
    ["LEADER_NOT_AVAILABLE", "resend", false],
    ["NOT_ENOUGH_REPLICAS", "resend", false],
    ["REQUEST_TIMED_OUT", "resend", true],
    ["NOT_ENOUGH_REPLICAS_AFTER_APPEND", "resend", true],
    ["NETWORK_EXCEPTION", "resend", true],
    ["OUT_OF_ORDER_SEQUENCE_NUMBER", "new-producer-id", false],
    ["UNKNOWN_PRODUCER_ID", "new-producer-id", false],
    ["INVALID_PRODUCER_EPOCH", "new-producer-id", false],
    ["MESSAGE_TOO_LARGE", "permanent", false],
    ["TOPIC_AUTHORIZATION_FAILED", "permanent", false],
  ];
  for (const [apiId, outcome, landed] of rules) {
    assert.equal(produceOutcome(apiId), outcome, apiId);
    assert.equal(mayHaveLanded(apiId), landed, apiId);
  }
});
