import assert from "node:assert/strict";
import { clientCertificateRefusal } from "./client_certificate_refusal.ts";

Deno.test("clientCertificateRefusal() names the settings to set when the edge has no client certificate", () => {
  for (const tls of [undefined, {}, { ca: "PEM" }]) {
    assert.equal(
      clientCertificateRefusal(tls),
      "the broker requires a client certificate (mutual TLS) and the edge sent none: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE",
    );
  }
});

Deno.test("clientCertificateRefusal() still names the setting when the certificate does not parse", () => {
  assert.match(
    clientCertificateRefusal({ cert: "not a PEM", key: "not a key" }),
    /^the broker refused the edge's client certificate \(KAFKA_SSL_CERT_FILE\): it is not signed by a CA the broker trusts, or it has expired$/,
  );
});
