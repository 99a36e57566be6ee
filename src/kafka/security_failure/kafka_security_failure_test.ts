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

/** A KafkaJSConnectionError under KafkaJSNumberOfRetriesExceeded, as kafkajs 2.2.4 threw it on Deno (recorded). */
function kafkajsFailure(code: string, message: string) {
  const inner = Object.assign(new Error(`Connection error: ${message}`), {
    name: "KafkaJSConnectionError",
    code,
    retriable: true,
  });
  return Object.assign(new Error(inner.message), {
    name: "KafkaJSNumberOfRetriesExceeded",
    retriable: false,
    cause: inner,
    originalError: inner,
  });
}

Deno.test("kafkaSecurityFailureOf() names kafkajs's alerts for a client certificate missing or refused by an mTLS broker", () => {
  assert.deepEqual(
    kafkaSecurityFailureOf(
      kafkajsFailure("ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "received fatal alert: BadCertificate"),
    ),
    { kind: "client-certificate", reason: "Connection error: received fatal alert: BadCertificate" },
  );
  const unknown = kafkajsFailure("ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN", "received fatal alert: CertificateUnknown");
  assert.equal(kafkaSecurityFailureOf(unknown)?.kind, "client-certificate");
});

Deno.test("kafkaSecurityFailureOf() names a TLS socket's alert, by code or (code lost) by its words", () => {
  const socket = Object.assign(new Error("received fatal alert: BadCertificate"), {
    code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
  });
  assert.equal(kafkaSecurityFailureOf(socket)?.kind, "client-certificate");
  const uncoded = new Error("wrapped", { cause: new Error("received fatal alert: CertificateRequired") });
  assert.equal(kafkaSecurityFailureOf(uncoded)?.kind, "client-certificate");
});

Deno.test("kafkaSecurityFailureOf() leaves what a broker down or restarting says to a retry (recorded shapes)", () => {
  // @platformatic/kafka 2.12.1 against the mTLS listener without a certificate, and a broker that closes: the same words.
  const closed = Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK", canRetry: true });
  const platformatic = Object.assign(new AggregateError([closed, closed], "listApis failed 6 times."), {
    code: "PLT_KFK_MULTIPLE",
  });
  assert.equal(kafkaSecurityFailureOf(platformatic), undefined);
  // kafkajs sometimes loses the alert to its own write.
  assert.equal(kafkaSecurityFailureOf(kafkajsFailure("ERR_STREAM_WRITE_AFTER_END", "write after end")), undefined);
  assert.equal(
    kafkaSecurityFailureOf(kafkajsFailure("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:29099")),
    undefined,
  );
  assert.equal(kafkaSecurityFailureOf(kafkajsFailure("ECONNRESET", "read ECONNRESET")), undefined);
  const reset = Object.assign(
    new Error("Client network socket disconnected before secure TLS connection was established"),
    { code: "ECONNRESET" },
  );
  assert.equal(kafkaSecurityFailureOf(reset), undefined);
});
