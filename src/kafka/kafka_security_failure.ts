/**
 * Tells a Kafka failure that no retry fixes because of security (refused credentials, a TLS
 * handshake that cannot verify) from a broker that is merely slow or down, for both clients: the
 * edge stops at start on one, and reports not-ready with its cause while running.
 *
 * @module
 */

/** Why Kafka refused a connection for its security: the credentials, or the TLS handshake. */
export interface KafkaSecurityFailure {
  readonly kind: "auth" | "tls";
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
