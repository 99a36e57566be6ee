import assert from "node:assert/strict";
import { kafkaSecurityFailureOf } from "./kafka_security_failure.ts";

Deno.test("kafkaSecurityFailureOf() finds platformatic's SASL failure under its aggregate errors", () => {
  const inner = Object.assign(new Error("SASL authentication failed."), { code: "PLT_KFK_AUTHENTICATION" });
  const outer = Object.assign(new AggregateError([new AggregateError([inner], "Cannot connect")], "metadata failed"), {
    code: "PLT_KFK_MULTIPLE",
  });
  assert.deepEqual(kafkaSecurityFailureOf(outer), { kind: "auth", reason: "SASL authentication failed." });
});

Deno.test("kafkaSecurityFailureOf() finds kafkajs's TLS code under KafkaJSNumberOfRetriesExceeded", () => {
  const inner = Object.assign(new Error("Connection error: self-signed certificate in certificate chain"), {
    name: "KafkaJSConnectionError",
    code: "SELF_SIGNED_CERT_IN_CHAIN",
  });
  const outer = Object.assign(new Error(inner.message), {
    name: "KafkaJSNumberOfRetriesExceeded",
    originalError: inner,
  });
  assert.equal(kafkaSecurityFailureOf(outer)?.kind, "tls");
});

Deno.test("kafkaSecurityFailureOf() says nothing of a refused connection or a timeout", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
  assert.equal(kafkaSecurityFailureOf(new Error("wrapped", { cause: refused })), undefined);
  assert.equal(kafkaSecurityFailureOf({ name: "KafkaJSRequestTimeoutError", message: "Request timed out" }), undefined);
});
