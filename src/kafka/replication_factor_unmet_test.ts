import assert from "node:assert/strict";
import { isReplicationFactorUnmet } from "./replication_factor_unmet.ts";

Deno.test("isReplicationFactorUnmet() finds kafkajs's INVALID_REPLICATION_FACTOR inside its aggregate error", () => {
  const aggregate = Object.assign(new Error("Topic creation errors"), {
    errors: [
      Object.assign(new Error("Replication-factor is invalid"), { type: "INVALID_REPLICATION_FACTOR", code: 38 }),
    ],
  });
  assert.equal(isReplicationFactorUnmet(aggregate), true);
});

Deno.test("isReplicationFactorUnmet() finds @platformatic/kafka's apiCode 38 two levels down", () => {
  const protocol = Object.assign(new Error("larger than the number of available brokers"), { apiCode: 38 });
  const response = Object.assign(new Error("Received response with error"), { errors: [protocol] });
  assert.equal(isReplicationFactorUnmet(new Error("Creating topics failed.", { cause: response })), true);
  assert.equal(isReplicationFactorUnmet(Object.assign(new Error("multiple"), { errors: [response] })), true);
});

Deno.test("isReplicationFactorUnmet() is false for other errors, plain values and cycles", () => {
  assert.equal(isReplicationFactorUnmet(Object.assign(new Error("exists"), { type: "TOPIC_ALREADY_EXISTS" })), false);
  assert.equal(isReplicationFactorUnmet(Object.assign(new Error("policy"), { apiCode: 44 })), false);
  assert.equal(isReplicationFactorUnmet("INVALID_REPLICATION_FACTOR"), false);
  assert.equal(isReplicationFactorUnmet(undefined), false);
  const looped: { cause?: unknown } = {};
  looped.cause = looped;
  assert.equal(isReplicationFactorUnmet(looped), false);
});
