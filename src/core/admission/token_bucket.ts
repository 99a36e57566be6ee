/**
 * A token bucket: `ratePerSecond` tokens flow in continuously up to `burst`; taking one succeeds
 * while any is left. Time is passed in, so the bucket itself is pure.
 */
export class TokenBucket {
  #ratePerMs: number;
  #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = nowMs;
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Takes `n` tokens while at least one is left, going into debt for the rest: a frame larger than
   * the burst still passes once, and the bucket pays it back before the next. False when none is left.
   */
  takeDebt(n: number, nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= n;
    return true;
  }

  /** Milliseconds until one token is there (0 when one is). */
  msUntilNext(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }

  /**
   * Changes the rate and burst from now on without refilling or draining: tokens gathered so far
   * (at the old rate) are kept, clamped to the new burst, and a debt stays a debt.
   */
  retune(ratePerSecond: number, burst: number, nowMs: number): void {
    this.#refill(nowMs);
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }

  #refill(nowMs: number): void {
    const elapsed = nowMs - this.#updatedAt;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = nowMs;
  }
}
