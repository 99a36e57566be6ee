/**
 * Tells a Kafka failure that no retry fixes because of security (refused credentials, a TLS
 * handshake that cannot verify) from a broker that is merely slow or down, for both clients: the
 * edge stops at start on one, and reports not-ready with its cause while running.
 *
 * @module
 */

/**
 * Why Kafka refused a connection for its security: the credentials, the TLS handshake (the
 * brokers' certificate does not verify), or the edge's client certificate (mutual TLS: none sent,
 * or one the broker does not trust).
 */
export interface KafkaSecurityFailure {
  readonly kind: "auth" | "tls" | "client-certificate";
  /** The client's own words for it (clients never quote credentials). */
  readonly reason: string;
}

/** Node's TLS verification codes, which both clients pass on (kafkajs as `code` of a KafkaJSConnectionError). */
const TLS_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "HOSTNAME_MISMATCH",
]);

/**
 * The TLS alerts a broker sends about the client's certificate, as Deno's node:tls codes them
 * (kafkajs passes them on; @platformatic/kafka says only "Connection closed"). Kafka 4.4 sends
 * bad_certificate when the edge sent none, certificate_unknown for one from a CA it does not trust.
 */
const CLIENT_CERTIFICATE_ALERTS = new Set([
  "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED",
  "ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
  "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
  "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
]);

/** The same alerts in the words of Deno's TLS ("received fatal alert: BadCertificate"), for errors that lost the code. */
const CLIENT_CERTIFICATE_ALERT_TEXT =
  /fatal alert: (BadCertificate|CertificateUnknown|CertificateExpired|CertificateRevoked|UnsupportedCertificate|UnknownCA|CertificateRequired)\b/;

/** Kafka's own names (and the clients') for refused credentials. */
const AUTH_NAMES = new Set([
  "KafkaJSSASLAuthenticationError",
  "PLT_KFK_AUTHENTICATION",
  "SASL_AUTHENTICATION_FAILED",
  "UNSUPPORTED_SASL_MECHANISM",
]);

interface Failure {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly apiId?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly errors?: unknown;
}

/**
 * The security failure inside `error` (or any error it wraps: `cause`, kafkajs's `originalError`,
 * platformatic's `errors`), or undefined when it is something a retry may fix.
 */
export function kafkaSecurityFailureOf(error: unknown): KafkaSecurityFailure | undefined {
  const seen = new Set<unknown>();
  const walk = (value: unknown): KafkaSecurityFailure | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value) || seen.size > 200) return undefined;
    seen.add(value);
    const e = value as Failure;
    const message = typeof e.message === "string" ? e.message : "";
    const names = [e.name, e.code, e.type, e.apiId].filter((n): n is string => typeof n === "string");
    if (names.some((n) => TLS_CODES.has(n))) return { kind: "tls", reason: message };
    if (names.some((n) => CLIENT_CERTIFICATE_ALERTS.has(n)) || CLIENT_CERTIFICATE_ALERT_TEXT.test(message)) {
      return { kind: "client-certificate", reason: message };
    }
    if (names.some((n) => AUTH_NAMES.has(n))) return { kind: "auth", reason: message };
    const nested = [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])];
    // Prefer what the innermost error says: it names the cause ("self-signed certificate in chain").
    for (const inner of nested) {
      const found = walk(inner);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(error);
}
