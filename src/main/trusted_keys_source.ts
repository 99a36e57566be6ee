import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import { PlayerTokenVerifier } from "../edge/http/player_token.ts";

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
  /** `kid:base64,...` Ed25519 keys, or a path to a file of them. */
  readonly jwtPublicKeys: string;
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  readonly jwtClockSkewS: number;
}

/** The player-token verifier the configuration describes (HS256 secret and/or EdDSA keys). */
export async function loadPlayerTokenVerifier(settings: PlayerTokenSettings): Promise<PlayerTokenVerifier> {
  const publicKeys = settings.jwtPublicKeys.trim();
  return await PlayerTokenVerifier.create({
    hs256Secret: settings.jwtSecret === "" ? undefined : settings.jwtSecret,
    ed25519Keys: publicKeys === "" ? [] : parseTrustedKeys(await readKeyText(publicKeys)),
    issuer: settings.jwtIssuer,
    audience: settings.jwtAudience,
    clockSkewS: settings.jwtClockSkewS,
  });
}
