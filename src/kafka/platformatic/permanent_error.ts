import { PERMANENT_KAFKA_ERRORS } from "../permanent_kafka_errors.ts";

/** Kafka's names of errors no retry can fix (platformatic gives them as `apiId`). */

/**
 * platformatic error codes that no retry can fix: the client rejected what it was given
 * (`PLT_KFK_USER`: a malformed message or option), or the broker lacks an API the client needs.
 */
const PERMANENT_CODES = new Set(["PLT_KFK_USER", "PLT_KFK_UNSUPPORTED_API", "PLT_KFK_AUTHENTICATION"]);

interface ErrorFields {
  readonly apiId?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
  readonly cause?: unknown;
}

/**
 * True when `error`, or an error it wraps (platformatic's `MultipleErrors.errors` and `cause`
 * chains, searched to any depth), is one no retry can fix: a protocol error in
 * {@link PERMANENT_KAFKA_ERRORS}, a client error in {@link PERMANENT_CODES}, or a local
 * `TypeError`/`RangeError` from malformed input. Network errors, timeouts, leader moves and every
 * other protocol error are transient, and so is a client closed under a write: that happens when
 * the edge stops, and the sink then stops retrying on its own signal, without an error line. The client's own `canRetry` flag is
 * not used alone: it is false for answers that a fresh producer id or a later attempt does fix
 * (`INVALID_PRODUCER_EPOCH`, a request that timed out) and true for an unknown topic, which the
 * edge does not create on the fly.
 */
export function isPermanentPlatformaticError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const e = pending.pop();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof TypeError || e instanceof RangeError) return true;
    const fields = e as ErrorFields;
    if (typeof fields.apiId === "string" && PERMANENT_KAFKA_ERRORS.has(fields.apiId)) return true;
    if (typeof fields.code === "string" && PERMANENT_CODES.has(fields.code) && !closedUnderIt(e)) return true;
    if (Array.isArray(fields.errors)) pending.push(...fields.errors);
    if (fields.cause !== undefined) pending.push(fields.cause);
  }
  return false;
}

/** True for the client's "Client closed while retrying ..." error: the adapter closed under a retry. */
function closedUnderIt(error: object): boolean {
  const message = (error as ErrorFields).message;
  return typeof message === "string" && message.startsWith("Client closed");
}
