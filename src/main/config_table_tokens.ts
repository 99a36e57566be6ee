/**
 * The player-token rows of the config table (`CONFIG_TABLE` spreads them in after
 * `VELTRIX_DEDUP_MAX_IDS`): static EdDSA keys, the trusted issuers and their key sets, and the
 * claims every token is checked for. Read by `trusted_keys_source.ts`; the rule that some token
 * configuration is set is in `config.ts`.
 *
 * @module
 */
import { int, oneOf, optional, type Parser, Refusal, text } from "./config_parse.ts";
import { PRODUCE_LANE_MODES } from "../edge/ingest/produce_lanes.ts";
import { parseTrustedIssuers, type TrustedIssuer } from "../edge/http/trusted_issuers.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";

/** `VELTRIX_JWT_ISSUERS`: a JSON list of trusted issuers, every problem named. */
const trustedIssuers: Parser<readonly TrustedIssuer[]> = (raw) => {
  try {
    return parseTrustedIssuers(raw);
  } catch (error) {
    return new Refusal([VeltrixError.from(error).message]);
  }
};

/** The player-token variables, keyed by the config field each one fills. */
export const PLAYER_TOKEN_CONFIG = {
  jwtPublicKeys: {
    env: "VELTRIX_JWT_PUBLIC_KEYS",
    default: "(none)",
    parse: text,
    doc:
      "Ed25519 keys for EdDSA client tokens, by `kid`: `kid:base64-raw-public-key,...` or a path (starting `/`, `./` or `../`) to a file of them. With it, `VELTRIX_JWT_SECRET` becomes optional.",
  },
  jwtIssuers: {
    env: "VELTRIX_JWT_ISSUERS",
    default: "(none)",
    parse: trustedIssuers,
    doc:
      'Trusted identity providers, a JSON list of `{"issuer", "jwksUrl", "audience", "algorithms"}` (algorithms: `RS256`, `PS256`, `ES256`, `EdDSA`). A token\'s `iss` picks its entry; it is checked against the keys published at `jwksUrl` (see [Player tokens from a JWKS](#player-tokens-from-a-jwks)). With it, `VELTRIX_JWT_SECRET` becomes optional.',
  },
  jwksCooldownMs: {
    env: "VELTRIX_JWKS_COOLDOWN_MS",
    default: "30000",
    parse: int(0, 86_400_000),
    doc: "Least time between two fetches of an issuer's JWKS for a key id it does not hold (and after a failed fetch).",
  },
  jwksCacheMaxAgeMs: {
    env: "VELTRIX_JWKS_CACHE_MAX_AGE_MS",
    default: "600000",
    parse: int(0, 86_400_000),
    doc: "Age past which an issuer's cached JWKS is fetched again before use; a removed key is refused from then on.",
  },
  jwksTimeoutMs: {
    env: "VELTRIX_JWKS_TIMEOUT_MS",
    default: "5000",
    parse: int(100, 600_000),
    doc: "How long one JWKS fetch may take.",
  },
  jwtIssuer: {
    env: "VELTRIX_JWT_ISSUER",
    default: "(any)",
    parse: optional,
    doc: "When set, client tokens must carry this `iss`.",
  },
  jwtAudience: {
    env: "VELTRIX_JWT_AUDIENCE",
    default: "(any)",
    parse: optional,
    doc: "When set, client tokens' `aud` must be or contain this.",
  },
  jwtClockSkewS: {
    env: "VELTRIX_JWT_CLOCK_SKEW_S",
    default: "30",
    parse: int(0, 3600),
    doc: "Leeway for `exp` and `nbf`, in seconds.",
  },
  tenantClaim: {
    env: "VELTRIX_TENANT_CLAIM",
    default: "(none)",
    parse: optional,
    doc:
      "The client-token claim that names the player's tenant (for example `game`), read once per connection; the route map's `tenants` give each tenant its quotas and topic prefix (see [Per-game quotas](routing.md#per-game-quotas)). Unset: every player is in `other`.",
  },
  produceLanes: {
    env: "VELTRIX_PRODUCE_LANES",
    default: "tenant",
    parse: oneOf(PRODUCE_LANE_MODES),
    doc:
      "`tenant`: each tenant the route map lists gets a produce lane (a batcher and a Kafka producer: own connections and producer id); the rest share lane `other`. `VELTRIX_MAX_PENDING_EVENTS` holds per lane. `shared`: one batcher and producer for all. One lane without `VELTRIX_TENANT_CLAIM`. See [Produce lanes](routing.md#produce-lanes).",
  },
} as const;
