/**
 * The rules of the client protocol that the SDK applies itself, so that the package stands alone
 * (it is published without the edge's code): the event id's length, and which edge codes are
 * worth a resend. `protocol_rules_test.ts` holds them to the edge's own tables.
 *
 * @module
 */

/** Longest event id the edge accepts, in characters. */
export const MAX_EVENT_ID_LENGTH = 64;

/** The edge's codes after which the same event (same id) can succeed later (docs/errors.md). */
export const RETRYABLE_EDGE_CODES: ReadonlySet<string> = new Set([
  "OVERLOADED",
  "KAFKA_WRITE_FAILED",
  "SHUTTING_DOWN",
  "NOT_READY",
  "RATE_LIMITED",
  "TOO_MANY_CONNECTIONS",
  "TOO_MANY_PLAYER_CONNECTIONS",
  "IDLE_TIMEOUT",
  "ROUTE_TOPICS_UNAVAILABLE",
  "TOKEN_EXPIRED",
  "INTERNAL",
]);

/** Returns why `id` cannot be an event id, or undefined when it can. */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return "id must be a string";
  return id.length >= 1 && id.length <= MAX_EVENT_ID_LENGTH
    ? undefined
    : `id must be 1 to ${MAX_EVENT_ID_LENGTH} characters`;
}
