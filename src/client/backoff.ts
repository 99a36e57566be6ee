/** Bounds of an exponential backoff. */
export interface BackoffOptions {
  /** Cap of the first delay, in ms. @default 250 */
  initialDelayMs?: number;
  /** Largest cap, in ms. @default 10000 */
  maxDelayMs?: number;
}

/** Default cap of the first reconnect delay, in ms. */
export const DEFAULT_INITIAL_DELAY_MS = 250;
/** Default largest reconnect delay, in ms. */
export const DEFAULT_MAX_DELAY_MS = 10_000;

/**
 * The delay before try number `attempt` (1 for the first retry): exponential backoff with full
 * jitter, a uniformly random delay between 0 and `min(maxDelayMs, initialDelayMs * 2^(attempt-1))`.
 * Full jitter spreads the clients of a failed edge out instead of bringing them back together.
 *
 * @param random A uniform value in [0, 1). @default Math.random
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 *
 * backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 1000 }, () => 0.5); // 200
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const cap = Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return Math.floor(random() * cap);
}
