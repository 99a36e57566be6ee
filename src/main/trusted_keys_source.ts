import { CONFIG_TABLE } from "./config_table.ts";
import { readSecretFile } from "./setting_file.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import { PlayerTokenVerifier } from "../edge/http/player_token.ts";
import { JwksIssuers } from "../edge/http/jwks_issuers.ts";
import { JwksMetrics } from "../edge/http/jwks_metrics.ts";
import type { TrustedIssuer } from "../edge/http/trusted_issuers.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import type { Registry } from "prom-client";

/**
 * The trusted route-map signing keys from `VELTRIX_TRUSTED_KEYS`: the entries themselves, or,
 * when the value is a path (starting `/`, `./` or `../`), the entries in that file.
 */
export async function loadTrustedKeys(value: string): Promise<TrustedKeys> {
  return await TrustedKeys.import(parseTrustedKeys(await readKeyText(value)));
}

/** Key entries given inline, or read from the file a value starting `/`, `./` or `../` names. */
export async function readKeyText(value: string): Promise<string> {
  return /^\.{0,2}\//.test(value.trim()) ? await Deno.readTextFile(value.trim()) : value;
}

/** What player tokens are checked against (field names as in the edge config). */
export interface PlayerTokenSettings {
  readonly jwtSecret: string;
  /** A file holding the secret instead (a mounted Kubernetes Secret), read here. */
  readonly jwtSecretFile: string | undefined;
  /** `kid:base64,...` Ed25519 keys, or a path to a file of them. */
  readonly jwtPublicKeys: string;
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  readonly jwtClockSkewS: number;
  /** The claim naming the player's tenant; undefined reads none. */
  readonly tenantClaim?: string | undefined;
}

/**
 * The player-token verifier the configuration describes (HS256 secret, from the variable or its
 * file; EdDSA keys; the trusted issuers' key sets).
 */
export async function loadPlayerTokenVerifier(
  settings: PlayerTokenSettings,
  issuers?: JwksIssuers,
): Promise<PlayerTokenVerifier> {
  const publicKeys = settings.jwtPublicKeys.trim();
  const secret = settings.jwtSecretFile === undefined
    ? settings.jwtSecret
    : await readSecretFile(CONFIG_TABLE.jwtSecretFile.env, settings.jwtSecretFile);
  if (settings.jwtSecretFile !== undefined && secret.length < 16) {
    throw new VeltrixError("INVALID_CONFIG", `${CONFIG_TABLE.jwtSecretFile.env} must hold at least 16 characters`);
  }
  return await PlayerTokenVerifier.create({
    hs256Secret: secret === "" ? undefined : secret,
    ...(issuers === undefined ? {} : { issuers }),
    ed25519Keys: publicKeys === "" ? [] : parseTrustedKeys(await readKeyText(publicKeys)),
    issuer: settings.jwtIssuer,
    audience: settings.jwtAudience,
    clockSkewS: settings.jwtClockSkewS,
    ...(settings.tenantClaim === undefined ? {} : { tenantClaim: settings.tenantClaim }),
  });
}

/** The JWKS settings of the edge config. */
export interface JwksConfig {
  readonly jwtIssuers: readonly TrustedIssuer[];
  readonly jwksCooldownMs: number;
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksTimeoutMs: number;
}

/**
 * The player-token verifier, with the trusted issuers' key sets being fetched (a readiness
 * condition per issuer, metrics on `registry`); `stop` ends the start-up fetches still retrying.
 */
export async function startPlayerTokens(
  config: PlayerTokenSettings & JwksConfig,
  deps: { readonly readiness: Readiness; readonly logger: Logger; readonly registry: Registry },
): Promise<{ tokens: PlayerTokenVerifier; stop(): void }> {
  const issuers = new JwksIssuers(config.jwtIssuers, {
    settings: {
      cooldownMs: config.jwksCooldownMs,
      cacheMaxAgeMs: config.jwksCacheMaxAgeMs,
      timeoutMs: config.jwksTimeoutMs,
    },
    readiness: deps.readiness,
    logger: deps.logger,
    observer: new JwksMetrics(deps.registry, config.jwtIssuers.map((entry) => entry.issuer)),
  });
  const tokens = await loadPlayerTokenVerifier(config, issuers);
  void issuers.start();
  return { tokens, stop: () => issuers.stop() };
}
