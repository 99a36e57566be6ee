import {
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from "jose";
import type { TrustedKeyEntry } from "../../core/updates/trusted_keys.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { JwksIssuers } from "./jwks_issuers.ts";
import { playerIdentity } from "./player_identity.ts";

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
  /**
   * Trusted issuers with their key sets (`VELTRIX_JWT_ISSUERS`): a token whose `iss` names one is
   * checked against that issuer's keys, audience and algorithms only.
   */
  readonly issuers?: JwksIssuers;
  /** The claim that names the player's tenant (`VELTRIX_TENANT_CLAIM`); unset: no player has one. */
  readonly tenantClaim?: string;
}

/** Longest player id (`sub`) accepted. */
export const MAX_PLAYER_ID_LENGTH = 128;

/** Longest token accepted, in characters: longer is refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

/** What a verified token says about its session. */
export interface PlayerSession {
  /** The player id, the token's `sub`: what records carry. */
  readonly player: string;
  /**
   * Who the player is on this edge (dedupe, per-player limits, refresh): `sub` for the static keys,
   * `sub` qualified by the issuer for a trusted issuer's token ({@link playerIdentity}).
   */
  readonly identity: string;
  /** The trusted issuer (`VELTRIX_JWT_ISSUERS`) whose keys verified the token; absent for the static keys. */
  readonly issuer?: string;
  /** The token's `exp`, in unix seconds. */
  readonly expiresAt: number;
  /** The tenant claim's value (a string or a number, as text), when the edge reads one and the token has it. */
  readonly tenant?: string;
  /** Every claim of the verified token (a canary cohort may name one, for example `cohort`). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The algorithms a verifier can be configured with. */
type PlayerTokenAlgorithm = "HS256" | "EdDSA";

/**
 * Verifies client JWTs (with `jose`) and returns the player id, their `sub`. Accepts tokens of a
 * trusted issuer (its `iss` picks the issuer; RS256, PS256, ES256 or EdDSA with the issuer's
 * published keys, its audience and its algorithms only), HS256 (shared secret) and EdDSA (Ed25519
 * public keys, picked by `kid`), and only the algorithms configured, so a token cannot choose a
 * weaker one (`alg: none` is never accepted; a trusted issuer's token swapped to HS256 is refused).
 * Requires `exp`; checks `exp` and `nbf` with a small clock skew, and `iss` and `aud` when
 * configured. Every failure is a VeltrixError with code UNAUTHORIZED.
 */
export class PlayerTokenVerifier {
  readonly #hmac: CryptoKey | undefined;
  readonly #ed25519: ReadonlyMap<string, CryptoKey>;
  readonly #issuers: JwksIssuers | undefined;
  readonly #claims: Omit<JWTVerifyOptions, "algorithms" | "currentDate">;
  readonly #tenantClaim: string | undefined;
  /** Leeway for `exp` and `nbf`, in seconds: a connection is closed at its token's `exp` plus this. */
  readonly clockSkewS: number;

  private constructor(options: PlayerTokenOptions, hmac: CryptoKey | undefined, ed25519: Map<string, CryptoKey>) {
    this.#hmac = hmac;
    this.#ed25519 = ed25519;
    this.#issuers = options.issuers !== undefined && options.issuers.size > 0 ? options.issuers : undefined;
    this.clockSkewS = options.clockSkewS ?? 30;
    this.#tenantClaim = options.tenantClaim === "" ? undefined : options.tenantClaim;
    this.#claims = {
      requiredClaims: ["exp"],
      clockTolerance: options.clockSkewS ?? 30,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    };
  }

  /** Imports the configured keys. */
  static async create(options: PlayerTokenOptions): Promise<PlayerTokenVerifier> {
    const hmac = options.hs256Secret === undefined || options.hs256Secret === ""
      ? undefined
      : await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(options.hs256Secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      );
    const ed25519 = new Map<string, CryptoKey>();
    for (const entry of options.ed25519Keys ?? []) {
      const jwk = { kty: "OKP", crv: "Ed25519", x: base64url.encode(entry.publicKey) };
      ed25519.set(entry.id, await importJWK(jwk, "EdDSA") as CryptoKey);
    }
    return new PlayerTokenVerifier(options, hmac, ed25519);
  }

  /** The player id of a valid token; throws UNAUTHORIZED otherwise. */
  async verify(token: string | undefined, nowMs = Date.now()): Promise<string> {
    return (await this.verifySession(token, nowMs)).player;
  }

  /** The player id and expiry of a valid token; throws UNAUTHORIZED otherwise. */
  async verifySession(token: string | undefined, nowMs = Date.now()): Promise<PlayerSession> {
    if (token === undefined || token === "") {
      throw unauthorized(
        "a token is required: Sec-WebSocket-Protocol: veltrix.v1, veltrix.bearer.<jwt> or Authorization: Bearer <jwt>",
      );
    }
    if (token.split(".").length !== 3 || token.length > MAX_TOKEN_LENGTH) throw unauthorized("token is not a JWT");
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw unauthorized("token header is not a base64url JSON object");
    }
    if (this.#issuers !== undefined) {
      const trusted = this.#trustedIssuer(token, header);
      if (trusted !== undefined) return await this.#verifyIssued(token, trusted, nowMs);
    }
    const { algorithm, keys } = this.#keysFor(header);
    const options: JWTVerifyOptions = { ...this.#claims, algorithms: [algorithm], currentDate: new Date(nowMs) };
    let failure: unknown;
    // Without a kid, each trusted key is tried; only a signature that does not verify moves on.
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, key, options);
        return sessionOf(payload, this.#tenantClaim);
      } catch (error) {
        failure = error;
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    throw failure instanceof VeltrixError ? failure : unauthorized(describeFailure(failure), failure);
  }

  /**
   * The trusted issuer a token's `iss` names. Undefined when it names none and the token may still
   * be checked against the static keys (its algorithm has some); refused otherwise.
   */
  #trustedIssuer(token: string, header: ProtectedHeaderParameters) {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw unauthorized("token payload is not a base64url JSON object");
    }
    const trusted = typeof iss === "string" ? this.#issuers!.get(iss) : undefined;
    if (trusted !== undefined) return trusted;
    const staticKeys = (header.alg === "HS256" && this.#hmac !== undefined) ||
      (header.alg === "EdDSA" && this.#ed25519.size > 0);
    if (staticKeys) return undefined;
    throw unauthorized(`token issuer (iss) ${JSON.stringify(iss ?? null)} is not trusted`);
  }

  /** Verifies a token against its issuer's key set, audience and algorithms. */
  async #verifyIssued(
    token: string,
    trusted: NonNullable<ReturnType<JwksIssuers["get"]>>,
    nowMs: number,
  ): Promise<PlayerSession> {
    const { issuer, audience, algorithms } = trusted.issuer;
    try {
      const { payload } = await jwtVerify(token, trusted.key, {
        requiredClaims: ["exp"],
        clockTolerance: this.clockSkewS,
        issuer,
        audience: typeof audience === "string" ? audience : [...audience],
        algorithms: [...algorithms],
        currentDate: new Date(nowMs),
      });
      return sessionOf(payload, this.#tenantClaim, issuer);
    } catch (error) {
      throw error instanceof VeltrixError ? error : unauthorized(describeFailure(error), error);
    }
  }

  /** The algorithm a token names, if configured, and the keys that may have signed it. */
  #keysFor(header: ProtectedHeaderParameters): { algorithm: PlayerTokenAlgorithm; keys: CryptoKey[] } {
    if (header.alg === "HS256" && this.#hmac !== undefined) return { algorithm: "HS256", keys: [this.#hmac] };
    if (header.alg === "EdDSA" && this.#ed25519.size > 0) {
      if (header.kid === undefined) return { algorithm: "EdDSA", keys: [...this.#ed25519.values()] };
      const key = this.#ed25519.get(header.kid);
      if (key === undefined) throw unauthorized(`token key id "${header.kid}" is not trusted`);
      return { algorithm: "EdDSA", keys: [key] };
    }
    throw unauthorized(`token algorithm ${JSON.stringify(header.alg)} is not accepted`);
  }
}

/**
 * The player id a verified token names in `sub`, its identity, its `exp` (required by then), and its
 * tenant claim. `issuer`: the trusted issuer whose keys verified it, undefined for the static keys.
 */
function sessionOf(payload: JWTPayload, tenantClaim: string | undefined, issuer?: string): PlayerSession {
  const sub = payload.sub;
  if (typeof sub !== "string" || sub === "" || sub.length > MAX_PLAYER_ID_LENGTH) {
    throw unauthorized(`token has no sub claim naming the player (1 to ${MAX_PLAYER_ID_LENGTH} characters)`);
  }
  const claim = tenantClaim === undefined ? undefined : payload[tenantClaim];
  const tenant = typeof claim === "string" || typeof claim === "number" ? String(claim) : "";
  const session = {
    player: sub,
    identity: playerIdentity(sub, issuer),
    expiresAt: payload.exp!,
    claims: payload,
    ...(issuer === undefined ? {} : { issuer }),
  };
  return tenant === "" ? session : { ...session, tenant };
}

/** Says in the words of the edge why `jose` refused a token. */
function describeFailure(error: unknown): string {
  if (error instanceof errors.JWSSignatureVerificationFailed) return "token signature does not verify";
  if (error instanceof errors.JOSEAlgNotAllowed) return "token algorithm is not accepted for its issuer";
  if (error instanceof errors.JWKSNoMatchingKey) return "token key id (kid) is not in its issuer's key set";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "token names no key id and its issuer has several keys";
  if (error instanceof errors.JWKSTimeout) return "its issuer's key set cannot be fetched (timeout)";
  if (error instanceof errors.JWTExpired) return "token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "exp":
        return "token has no exp claim";
      case "nbf":
        return error.reason === "check_failed" ? "token is not valid yet (nbf)" : "token nbf claim is not a number";
      case "iss":
        return "token issuer (iss) is not accepted";
      case "aud":
        return "token audience (aud) does not include this edge";
      default:
        return `token ${error.claim} claim is refused: ${error.message}`;
    }
  }
  if (error instanceof errors.JOSEError) return `token is not a JWT: ${error.message}`;
  return `token cannot be verified: ${error instanceof Error ? error.message : String(error)}`;
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

function unauthorized(message: string, cause?: unknown): VeltrixError {
  return new VeltrixError("UNAUTHORIZED", message, cause === undefined ? undefined : { cause });
}
