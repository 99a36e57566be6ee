/** How a retried step backs off. */
export interface RetryOptions {
  /** The first delay, in ms; it doubles on each attempt. */
  readonly initialDelayMs: number;
  /** The largest delay, in ms. */
  readonly maxDelayMs: number;
  /** Stops retrying: the loop then rethrows the last error. */
  readonly signal?: AbortSignal | undefined;
  /** True when the error cannot be fixed by retrying: it is thrown at once. */
  readonly isPermanent?: (error: unknown) => boolean;
  /** Told of each failed attempt before the wait. */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** The delay before retrying after failed attempt number `attempt` (1 for the first). */
export function backoffDelayMs(attempt: number, options: RetryOptions): number {
  return Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt - 1, 20));
}

/**
 * Runs `step` until it succeeds, waiting with exponential backoff between attempts. Throws the
 * last error when it is permanent or when `signal` is aborted. Returns the attempts it took.
 */
export async function retryWithBackoff(step: () => Promise<void>, options: RetryOptions): Promise<number> {
  for (let attempt = 1;; attempt++) {
    try {
      await step();
      return attempt;
    } catch (error) {
      if (options.isPermanent?.(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(attempt, options);
      options.onRetry?.(attempt, delayMs, error);
      await sleep(delayMs, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
