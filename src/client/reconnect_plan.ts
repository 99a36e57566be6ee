import { backoffDelay, type BackoffOptions } from "./backoff.ts";

/**
 * Close codes after which to reconnect promptly instead of backing off: an edge going away on
 * purpose (1001, 1012), and a session whose token expired (4001, TOKEN_EXPIRED: the reconnect
 * gets a fresh token).
 */
export const PROMPT_RECONNECT_CODES: ReadonlySet<number> = new Set([1001, 1012, 4001]);

/** How a connection attempt ended. */
export interface EndedAttempt {
  /** Whether the socket had opened. */
  readonly wasOpen: boolean;
  /** Whether it had been open long enough, or heard back from the edge: the edge was reachable. */
  readonly stable: boolean;
  /** The close code (1006 when it failed or was lost). */
  readonly code: number;
}

/** When to try again, and the count of failed attempts to carry. */
export interface ReconnectPlan {
  /** Failed attempts since the last stable connection, this one included. */
  readonly failedAttempts: number;
  /** How long to wait before the next attempt, in ms. */
  readonly delayMs: number;
}

/**
 * The next reconnect after `ended`, given `failedAttempts` before it. An edge going away on purpose
 * (1001, 1012) or a token that expired (4001) is followed promptly, within `initialDelayMs` of jitter, and resets the count; any
 * other end counts as a failed attempt (the count starting over after a stable connection) and
 * waits the backoff for it.
 *
 * @param random A uniform value in [0, 1). @default Math.random
 *
 * @example
 * ```ts
 * import { planReconnect } from "./reconnect_plan.ts";
 *
 * const backoff = { initialDelayMs: 100, maxDelayMs: 1000 };
 * planReconnect(2, { wasOpen: false, stable: false, code: 1006 }, backoff, () => 0.5); // { failedAttempts: 3, delayMs: 200 }
 * planReconnect(2, { wasOpen: true, stable: false, code: 1001 }, backoff, () => 0.5); // { failedAttempts: 0, delayMs: 50 }
 * ```
 */
export function planReconnect(
  failedAttempts: number,
  ended: EndedAttempt,
  backoff: Required<BackoffOptions>,
  random: () => number = Math.random,
): ReconnectPlan {
  if (ended.wasOpen && PROMPT_RECONNECT_CODES.has(ended.code)) {
    return { failedAttempts: 0, delayMs: Math.floor(random() * backoff.initialDelayMs) };
  }
  const attempts = (ended.wasOpen && ended.stable ? 0 : failedAttempts) + 1;
  return { failedAttempts: attempts, delayMs: backoffDelay(attempts, backoff, random) };
}
