/**
 * OAUTHBEARER tokens from a command or a file the operator configures (`KAFKA_OAUTH_TOKEN_COMMAND`,
 * `KAFKA_OAUTH_TOKEN_FILE`): this is how MSK IAM (a signed token from aws-msk-iam-sasl-signer) and
 * Confluent OAuth plug in with no cloud SDK in the edge.
 *
 * @module
 */

/** A token and when it stops being valid. */
export interface OAuthToken {
  readonly token: string;
  /** Unix milliseconds; undefined when the token does not say (a bare opaque token). */
  readonly expiresAtMs: number | undefined;
  /**
   * SASL extensions sent with the token (RFC 7628), e.g. Confluent Cloud's `logicalCluster` and
   * `identityPoolId`; from the JSON form's `"extensions"` object of strings.
   */
  readonly extensions?: Readonly<Record<string, string>>;
}

/** How long a token whose expiry is unknown is used before it is fetched again. */
export const UNKNOWN_EXPIRY_REFRESH_MS = 60_000;

/** Share of a token's life after which it is fetched again (clients re-authenticate at 80 % of the session). */
const REFRESH_AT = 0.7;

/**
 * Reads what a token command printed or a token file holds: JSON `{"token", "expiresAt"}` (unix
 * seconds, or milliseconds when above 10^12, or an ISO date; `expiryTime` in milliseconds, as
 * aws-msk-iam-sasl-signer-js names it, is read too; `"extensions"`, an object of strings, is sent
 * with the token), or a bare token, whose `exp` is read when it is
 * a JWT. Throws an Error that never quotes the token.
 */
export function parseOAuthToken(text: string): OAuthToken {
  const trimmed = text.trim();
  if (trimmed === "") throw new Error("the token is empty");
  if (trimmed.startsWith("{")) {
    let parsed: { token?: unknown; expiresAt?: unknown; expiryTime?: unknown; extensions?: unknown };
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error("the token output starts with { but is not JSON");
    }
    if (typeof parsed.token !== "string" || parsed.token === "") throw new Error('the JSON has no "token" string');
    const expiry = parsed.expiresAt ?? parsed.expiryTime;
    const expiresAtMs = expiry === undefined ? jwtExpiryMs(parsed.token) : expiryMs(expiry);
    const extensions = parsed.extensions;
    if (extensions === undefined) return { token: parsed.token, expiresAtMs };
    const valid = typeof extensions === "object" && extensions !== null && !Array.isArray(extensions) &&
      Object.values(extensions).every((value) => typeof value === "string");
    if (!valid) throw new Error('"extensions" must be an object of strings');
    return { token: parsed.token, expiresAtMs, extensions: extensions as Record<string, string> };
  }
  if (/\s/.test(trimmed)) throw new Error("the token holds whitespace");
  return { token: trimmed, expiresAtMs: jwtExpiryMs(trimmed) };
}

function expiryMs(value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value)) return value > 1e12 ? value : value * 1000;
  if (typeof value === "string") {
    const ms = /^\d+$/.test(value) ? expiryMs(Number(value)) : Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error('"expiresAt" must be unix seconds, milliseconds or an ISO date');
}

/** A JWT's `exp` in milliseconds, or undefined when the token is not a JWT with an `exp`. */
function jwtExpiryMs(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64UrlDecode(parts[1]!)));
    return typeof payload?.exp === "number" ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const padded = base64 + "=".repeat((4 - base64.length % 4) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** Options of an {@link OAuthTokenSource}. */
export interface OAuthTokenSourceOptions {
  /** Gets the raw text of a fresh token (runs the command, reads the file); rejects when it cannot. */
  readonly fetch: () => Promise<string>;
  /** The clock. @default Date.now */
  readonly now?: () => number;
  /** Told after each fetch that gave a token (for logs and tests). */
  readonly onRefresh?: (token: OAuthToken) => void;
}

/**
 * Hands out the current OAUTHBEARER token, fetching a fresh one once 70 % of its life has passed
 * (Kafka clients re-authenticate at 80 % of the session the broker grants, which ends no later
 * than the token). Concurrent callers share one fetch. When a refresh fails while the current
 * token is still valid, the current token is given and the next call tries again; once it has
 * expired, the failure is thrown.
 */
export class OAuthTokenSource {
  readonly #fetch: () => Promise<string>;
  readonly #now: () => number;
  readonly #onRefresh: ((token: OAuthToken) => void) | undefined;
  #current: { token: OAuthToken; refreshAtMs: number } | undefined;
  #fetching: Promise<OAuthToken> | undefined;

  constructor(options: OAuthTokenSourceOptions) {
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#onRefresh = options.onRefresh;
  }

  /** The token to authenticate with now. */
  async token(): Promise<OAuthToken> {
    const now = this.#now();
    const current = this.#current;
    if (current !== undefined && now < current.refreshAtMs) return current.token;
    try {
      return await this.#refresh();
    } catch (error) {
      const expiresAt = current?.token.expiresAtMs;
      if (current !== undefined && (expiresAt === undefined || now < expiresAt)) return current.token;
      throw error;
    }
  }

  #refresh(): Promise<OAuthToken> {
    this.#fetching ??= (async () => {
      try {
        const fetchedAt = this.#now();
        const token = parseOAuthToken(await this.#fetch());
        const life = token.expiresAtMs === undefined
          ? UNKNOWN_EXPIRY_REFRESH_MS / REFRESH_AT
          : token.expiresAtMs - fetchedAt;
        if (life <= 0) throw new Error("the token has already expired");
        this.#current = { token, refreshAtMs: fetchedAt + life * REFRESH_AT };
        this.#onRefresh?.(token);
        return token;
      } finally {
        this.#fetching = undefined;
      }
    })();
    return this.#fetching;
  }
}
