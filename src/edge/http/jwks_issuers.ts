/**
 * The key sets of the trusted issuers (`VELTRIX_JWT_ISSUERS`), through `jose`'s
 * `createRemoteJWKSet` and its cache: fetched at start (the edge is not ready until every issuer's
 * keys were fetched once; readiness says why), fetched again when a token names a key id the cache
 * does not hold (at most once per cooldown) and when the cache is older than its maximum age. An
 * issuer that is down keeps its cached keys: a fetch that fails leaves them in use, and after a
 * failure the cache is used as it is until the cooldown has passed.
 *
 * @module
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from "jose";
import type { Logger } from "../../core/ops/logger.ts";
import type { Readiness } from "../../core/ops/readiness.ts";
import type { TrustedIssuer } from "./trusted_issuers.ts";

/** How key sets are cached and fetched. */
export interface JwksSettings {
  /** Least time between two fetches for an unknown key id (jose `cooldownDuration`). @default 30000 */
  readonly cooldownMs: number;
  /** Age past which the cached set is fetched again before use (jose `cacheMaxAge`). @default 600000 */
  readonly cacheMaxAgeMs: number;
  /** How long one fetch may take (jose `timeoutDuration`). @default 5000 */
  readonly timeoutMs: number;
}

/** The defaults, as jose has them. */
export const DEFAULT_JWKS_SETTINGS: JwksSettings = Object.freeze({
  cooldownMs: 30_000,
  cacheMaxAgeMs: 600_000,
  timeoutMs: 5_000,
});

/** Hears every fetch of a key set (for metrics). */
export interface JwksObserver {
  fetched(issuer: string, outcome: "ok" | "error", keys?: number): void;
}

/** A key resolver, as jose's `jwtVerify` takes it. */
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** The readiness condition of one issuer. */
export function issuerCondition(issuer: string): string {
  return `player keys of ${issuer}`;
}

/** Longest wait between start-up fetches of an issuer that has never answered. */
const MAX_START_RETRY_MS = 30_000;

/** The cached key set of one trusted issuer. */
export class IssuerKeys {
  readonly issuer: TrustedIssuer;
  readonly #remote: ReturnType<typeof createRemoteJWKSet>;
  readonly #settings: JwksSettings;
  readonly #onFetch: (outcome: "ok" | "error", keys: number, error?: unknown) => void;
  #lastFailureAt = -Infinity;

  constructor(
    issuer: TrustedIssuer,
    settings: JwksSettings,
    onFetch: (outcome: "ok" | "error", keys: number, error?: unknown) => void,
  ) {
    this.issuer = issuer;
    this.#settings = settings;
    this.#onFetch = onFetch;
    this.#remote = createRemoteJWKSet(new URL(issuer.jwksUrl), {
      cooldownDuration: settings.cooldownMs,
      cacheMaxAge: settings.cacheMaxAgeMs,
      timeoutDuration: settings.timeoutMs,
      [customFetch]: (url: string, init: RequestInit) => this.#fetch(url, init),
    });
  }

  /** The keys as last fetched, or undefined before the first fetch that worked. */
  get cached(): JSONWebKeySet | undefined {
    return this.#remote.jwks();
  }

  /** Fetches the key set now; throws when the fetch fails (the cache is kept). */
  async reload(): Promise<void> {
    await this.#remote.reload();
  }

  /**
   * Picks the key a token's header names. With a cache older than its maximum age, or a key id
   * it does not hold, the set is fetched first (jose); when that fetch fails, the cached keys
   * still answer, and until the cooldown has passed they answer without trying again.
   */
  readonly key: KeyResolver = async (header, token) => {
    const cached = this.cached;
    const failedLately = Date.now() - this.#lastFailureAt < this.#settings.cooldownMs;
    if (cached !== undefined && failedLately) return await createLocalJWKSet(cached)(header, token);
    try {
      return await this.#remote(header, token);
    } catch (error) {
      if (cached === undefined || !isFetchFailure(error)) throw error;
      return await createLocalJWKSet(cached)(header, token);
    }
  };

  /** jose's fetch, observed: each outcome is counted, and a failure is remembered. */
  async #fetch(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      this.#failed(error);
      throw error;
    }
    if (response.status !== 200) {
      this.#failed(new Error(`HTTP ${response.status}`));
      return response;
    }
    try {
      const body = await response.clone().json() as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('the answer has no "keys" list');
      this.#onFetch("ok", body.keys.length);
    } catch (error) {
      this.#failed(error);
    }
    return response;
  }

  #failed(error: unknown): void {
    this.#lastFailureAt = Date.now();
    this.#onFetch("error", 0, error);
  }
}

/** A fetch that failed (network, timeout, status, body), as opposed to a key set that does not hold the key. */
function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true; // a network error from fetch
  return error instanceof errors.JWKSTimeout || error.code === "ERR_JOSE_GENERIC" ||
    error instanceof errors.JWKSInvalid;
}

/** Every trusted issuer's keys, by `iss`, fetched at start and kept ready. */
export class JwksIssuers {
  readonly #byIssuer = new Map<string, IssuerKeys>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;

  constructor(
    issuers: readonly TrustedIssuer[],
    private readonly deps: {
      readonly settings: JwksSettings;
      readonly readiness: Readiness;
      readonly logger: Logger;
      readonly observer?: JwksObserver;
    },
  ) {
    for (const issuer of issuers) {
      const keys = new IssuerKeys(issuer, deps.settings, (outcome, count, error) => {
        deps.observer?.fetched(issuer.issuer, outcome, outcome === "ok" ? count : undefined);
        if (outcome === "ok") {
          deps.logger.info("player keys fetched", { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, keys: count });
        } else {
          deps.logger.warn("player keys fetch failed", {
            issuer: issuer.issuer,
            jwksUrl: issuer.jwksUrl,
            error: describe(error),
            cachedKeys: keys.cached?.keys.length ?? 0,
          });
        }
      });
      this.#byIssuer.set(issuer.issuer, keys);
    }
  }

  /** How many issuers are trusted. */
  get size(): number {
    return this.#byIssuer.size;
  }

  /** The keys of the issuer a token names in `iss`, or undefined when it is not trusted. */
  get(issuer: string): IssuerKeys | undefined {
    return this.#byIssuer.get(issuer);
  }

  /**
   * Adds a readiness condition per issuer and fetches every key set; an issuer that does not
   * answer is tried again (1 s, doubling to 30 s) until it does. Resolves once every first fetch
   * was tried once (whatever its outcome).
   */
  async start(): Promise<void> {
    const { readiness } = this.deps;
    for (const issuer of this.#byIssuer.keys()) {
      readiness.add(issuerCondition(issuer));
      readiness.set(issuerCondition(issuer), false, "fetching its JWKS for the first time");
    }
    await Promise.all([...this.#byIssuer.values()].map((keys) => this.#firstFetch(keys, 1_000)));
  }

  /** Stops trying first fetches. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #firstFetch(keys: IssuerKeys, retryMs: number): Promise<void> {
    if (this.#stopped) return;
    const condition = issuerCondition(keys.issuer.issuer);
    try {
      await keys.reload();
      this.deps.readiness.set(condition, true);
    } catch (error) {
      this.deps.readiness.set(condition, false, `cannot fetch ${keys.issuer.jwksUrl}: ${describe(error)}`);
      if (this.#stopped) return;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.#firstFetch(keys, Math.min(retryMs * 2, MAX_START_RETRY_MS));
      }, retryMs);
      this.#timers.add(timer);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
