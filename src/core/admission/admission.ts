import type { EventReject } from "../frames/frame_types.ts";
import type { TenantBudget } from "./tenant_budgets.ts";
import { TokenBucket } from "./token_bucket.ts";

/** Retry hint of the retryable rejects admission and the edge give, in ms. */
export const DEFAULT_RETRY_AFTER_MS = 250;

/** What one connection may send. */
export interface AdmissionLimits {
  /** Events per second the connection may send (bursts of twice that); Infinity for no limit. */
  readonly ratePerConnection: number;
  /** RATE_LIMITED rejects the connection may earn within 10 s before it is closed. */
  readonly rateAbuseLimit: number;
  /** Events of the connection written to Kafka and not yet acknowledged; past it, OVERLOADED. */
  readonly maxInFlightPerConnection: number;
}

/** How long the window of RATE_LIMITED rejects counted towards abuse lasts, in ms. */
const ABUSE_WINDOW_MS = 10_000;

/**
 * Decides whether one connection may hand the edge another event now: within its own rate and
 * its player's (a bucket shared by the player's connections), under its in-flight bound, and
 * within its tenant's events per second (OVERLOADED, which does not count as abuse).
 * Pure: the caller passes the clock.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #connectionBucket: TokenBucket | undefined;
  readonly #playerBucket: TokenBucket | undefined;
  #tenant: TenantBudget | undefined;
  #limitedInWindow = 0;
  #windowStartedAt = 0;

  /** `tenant` is the budget shared by every connection of the player's tenant on this edge. */
  constructor(limits: AdmissionLimits, nowMs: number, playerBucket?: TokenBucket, tenant?: TenantBudget) {
    this.#limits = limits;
    const rate = limits.ratePerConnection;
    this.#connectionBucket = Number.isFinite(rate) ? new TokenBucket(rate, rate * 2, nowMs) : undefined;
    this.#playerBucket = playerBucket;
    this.#tenant = tenant;
  }

  /** Counts the events from now on against `tenant` (a new map gave the connection another tenant label). */
  moveTo(tenant: TenantBudget): void {
    this.#tenant = tenant;
  }

  /** Why event `id` may not be taken at `nowMs`, or undefined when it may. */
  refuse(id: string, nowMs: number, inFlight: number): EventReject | undefined {
    if (!this.#withinRate(nowMs)) {
      this.#countLimited(nowMs);
      const wait = Math.max(
        this.#connectionBucket?.msUntilNext(nowMs) ?? 0,
        this.#playerBucket?.msUntilNext(nowMs) ?? 0,
      );
      return {
        id,
        code: "RATE_LIMITED",
        message: "sending faster than the rate limit",
        retryAfterMs: Math.max(wait, 10),
      };
    }
    if (inFlight >= this.#limits.maxInFlightPerConnection) {
      return {
        id,
        code: "OVERLOADED",
        message: `this connection already has ${this.#limits.maxInFlightPerConnection} events waiting for Kafka`,
        retryAfterMs: DEFAULT_RETRY_AFTER_MS,
      };
    }
    const tenant = this.#tenant;
    if (tenant !== undefined && !tenant.takeEvent(nowMs)) return tenant.refuse(id, nowMs);
    return undefined;
  }

  /** True once the connection earned more RATE_LIMITED rejects than the abuse limit within 10 s. */
  get abusive(): boolean {
    return this.#limitedInWindow > this.#limits.rateAbuseLimit;
  }

  /** Takes one token from the connection's and the player's buckets; false when either is empty. */
  #withinRate(nowMs: number): boolean {
    if (this.#connectionBucket !== undefined && !this.#connectionBucket.take(nowMs)) return false;
    if (this.#playerBucket !== undefined && !this.#playerBucket.take(nowMs)) return false;
    return true;
  }

  #countLimited(nowMs: number): void {
    if (nowMs - this.#windowStartedAt > ABUSE_WINDOW_MS) {
      this.#windowStartedAt = nowMs;
      this.#limitedInWindow = 0;
    }
    this.#limitedInWindow++;
  }
}
