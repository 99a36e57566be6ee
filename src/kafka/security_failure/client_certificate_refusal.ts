/**
 * What to tell an operator whose edge the broker refused for its client certificate (mutual TLS):
 * that it sent none and which settings to set, or which certificate it sent (subject, issuer,
 * expiry, read from the PEM it was given) and why a broker refuses one.
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import type { TlsSettings } from "../kafka_security.ts";

/** The settings that give the edge its client certificate. */
const SETTINGS = "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE";

/**
 * Why the broker refused the edge's client certificate, in words that name what to change: `tls`
 * is what the edge connected with, `nowMs` the time an expiry is compared with.
 */
export function clientCertificateRefusal(tls: TlsSettings | undefined, nowMs = Date.now()): string {
  if (tls?.cert === undefined) {
    return `the broker requires a client certificate (mutual TLS) and the edge sent none: set ${SETTINGS}`;
  }
  const certificate = readCertificate(tls.cert);
  if (certificate === undefined) {
    return `the broker refused the edge's client certificate (KAFKA_SSL_CERT_FILE): it is not signed by a CA the broker trusts, or it has expired`;
  }
  const { subject, issuer, validTo } = certificate;
  if (Number.isFinite(validTo) && validTo < nowMs) {
    const expired = new Date(validTo).toISOString();
    return `the broker refused the edge's client certificate (subject ${subject}), which expired on ${expired}: renew ${SETTINGS}`;
  }
  const until = Number.isFinite(validTo) ? `, valid until ${new Date(validTo).toISOString()}` : "";
  return `the broker refused the edge's client certificate (subject ${subject}, issuer ${issuer}${until}): it is not signed by a CA the broker trusts (its ssl.truststore), or the broker revoked it; check ${SETTINGS}`;
}

/** The first certificate of `pem`, or undefined when it does not parse. */
function readCertificate(pem: string): { subject: string; issuer: string; validTo: number } | undefined {
  try {
    const certificate = new X509Certificate(pem);
    const oneLine = (name: string) => name.split("\n").filter((part) => part !== "").join(", ");
    return {
      subject: oneLine(certificate.subject),
      issuer: oneLine(certificate.issuer),
      validTo: Date.parse(certificate.validTo),
    };
  } catch {
    return undefined;
  }
}
