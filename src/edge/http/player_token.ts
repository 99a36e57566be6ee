import { parseTrustedKeys, type TrustedKeyEntry } from "../../core/trusted_keys.ts";
import { VeltrixError } from "../../core/veltrix_error.ts";

/** How client tokens are checked. */
export interface PlayerTokenOptions {
  /** HS256 shared secret; unset: HS256 tokens are refused. */
  readonly hs256Secret?: string;
  /** Ed25519 public keys for EdDSA tokens, by key id (the token's `kid`). */
  readonly ed25519Keys?: readonly TrustedKeyEntry[];
  /** When set, `iss` must equal it. */
  readonly issuer?: string;
  /** When set, `aud` must be it or contain it. */
  readonly audience?: string;
  /** Leeway for `exp` and `nbf`, in seconds. @default 30 */
  readonly clockSkewS?: number;
}

/** Longest player id (`sub`) accepted. */
export const MAX_PLAYER_ID_LENGTH = 128;

const encoder = new TextEncoder();

/**
 * Verifies client JWTs and returns the player id, their `sub`. Accepts HS256 (shared secret) and
 * EdDSA (Ed25519 public keys, picked by `kid`), and only the algorithms configured, so a token
 * cannot choose a weaker one. Requires `exp`; checks `exp` and `nbf` with a small clock skew, and
 * `iss` and `aud` when configured. Every failure is a VeltrixError with code UNAUTHORIZED.
 */
export class PlayerTokenVerifier {
  readonly #hmac: CryptoKey | undefined;
  readonly #ed25519: ReadonlyMap<string, CryptoKey>;
  readonly #options: PlayerTokenOptions;

  private constructor(options: PlayerTokenOptions, hmac: CryptoKey | undefined, ed25519: Map<string, CryptoKey>) {
    this.#options = options;
    this.#hmac = hmac;
    this.#ed25519 = ed25519;
  }

  /** Imports the configured keys. */
  static async create(options: PlayerTokenOptions): Promise<PlayerTokenVerifier> {
    const hmac = options.hs256Secret === undefined || options.hs256Secret === ""
      ? undefined
      : await crypto.subtle.importKey(
        "raw",
        encoder.encode(options.hs256Secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        [
          "verify",
        ],
      );
    const ed25519 = new Map<string, CryptoKey>();
    for (const entry of options.ed25519Keys ?? []) {
      ed25519.set(
        entry.id,
        await crypto.subtle.importKey("raw", entry.publicKey as BufferSource, { name: "Ed25519" }, false, ["verify"]),
      );
    }
    return new PlayerTokenVerifier(options, hmac, ed25519);
  }

  /** The player id of a valid token; throws UNAUTHORIZED otherwise. */
  async verify(token: string | undefined, nowMs = Date.now()): Promise<string> {
    if (token === undefined || token === "") {
      throw unauthorized("a token is required: ?token=... or Authorization: Bearer ...");
    }
    const parts = token.split(".");
    if (parts.length !== 3 || token.length > 8192) throw unauthorized("token is not a JWT");
    const [headerText, payloadText, signatureText] = parts as [string, string, string];
    const header = decodeJson(headerText, "header");
    const payload = decodeJson(payloadText, "payload");
    const signature = decodeBase64Url(signatureText);
    const signed = encoder.encode(`${headerText}.${payloadText}`);

    if (header.alg === "HS256" && this.#hmac !== undefined) {
      if (!await crypto.subtle.verify("HMAC", this.#hmac, signature as BufferSource, signed)) {
        throw unauthorized("token signature does not verify");
      }
    } else if (header.alg === "EdDSA" && this.#ed25519.size > 0) {
      const kid = typeof header.kid === "string" ? header.kid : undefined;
      const candidates = kid === undefined ? [...this.#ed25519.values()] : [this.#ed25519.get(kid)].filter((k) => k);
      if (candidates.length === 0) throw unauthorized(`token key id "${kid}" is not trusted`);
      let valid = false;
      for (const key of candidates) {
        if (await crypto.subtle.verify("Ed25519", key!, signature as BufferSource, signed)) {
          valid = true;
          break;
        }
      }
      if (!valid) throw unauthorized("token signature does not verify");
    } else {
      throw unauthorized(`token algorithm ${JSON.stringify(header.alg)} is not accepted`);
    }

    const now = nowMs / 1000;
    const skew = this.#options.clockSkewS ?? 30;
    if (typeof payload.exp !== "number") throw unauthorized("token has no exp claim");
    if (now > payload.exp + skew) throw unauthorized("token has expired");
    if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || now + skew < payload.nbf)) {
      throw unauthorized("token is not valid yet (nbf)");
    }
    const { issuer, audience } = this.#options;
    if (issuer !== undefined && payload.iss !== issuer) throw unauthorized("token issuer (iss) is not accepted");
    if (audience !== undefined) {
      const aud = payload.aud;
      const ok = aud === audience || (Array.isArray(aud) && aud.includes(audience));
      if (!ok) throw unauthorized("token audience (aud) does not include this edge");
    }
    if (typeof payload.sub !== "string" || payload.sub === "" || payload.sub.length > MAX_PLAYER_ID_LENGTH) {
      throw unauthorized(`token has no sub claim naming the player (1 to ${MAX_PLAYER_ID_LENGTH} characters)`);
    }
    return payload.sub;
  }
}

/** Parses `VELTRIX_JWT_PUBLIC_KEYS`-style entries (`kid:base64-raw-ed25519-public-key,...`). */
export function parseTokenKeys(text: string): TrustedKeyEntry[] {
  return parseTrustedKeys(text);
}

const hs256Verifiers = new Map<string, Promise<PlayerTokenVerifier>>();

/**
 * Verifies an HS256 token against `secret` with the default skew (a shortcut over
 * {@link PlayerTokenVerifier} for callers with only a secret).
 */
export async function verifyPlayerToken(token: string | undefined, secret: string): Promise<string> {
  let verifier = hs256Verifiers.get(secret);
  if (verifier === undefined) {
    verifier = PlayerTokenVerifier.create({ hs256Secret: secret });
    hs256Verifiers.set(secret, verifier);
  }
  return (await verifier).verify(token);
}

/** Picks the token from `?token=` or an `Authorization: Bearer` header. */
export function tokenFromRequest(url: URL, authorization: string | undefined): string | undefined {
  const fromQuery = url.searchParams.get("token");
  if (fromQuery !== null && fromQuery !== "") return fromQuery;
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

function unauthorized(message: string): VeltrixError {
  return new VeltrixError("UNAUTHORIZED", message);
}

function decodeBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw unauthorized("token is not base64url");
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4);
  try {
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  } catch {
    throw unauthorized("token is not base64url");
  }
}

function decodeJson(text: string, part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(decodeBase64Url(text)));
  } catch (error) {
    if (error instanceof VeltrixError) throw error;
    throw unauthorized(`token ${part} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw unauthorized(`token ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
