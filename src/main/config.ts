/**
 * The edge's configuration, read from the environment through {@linkcode CONFIG_TABLE}: the
 * {@linkcode EdgeConfig} type, the list of variables the docs show, and the loader with the rules
 * that span more than one variable.
 *
 * @module
 */
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { type ConfigEntry, Refusal } from "./config_parse.ts";
import { CONFIG_TABLE } from "./config_table.ts";

export { CONFIG_TABLE } from "./config_table.ts";
export type { ConfigEntry } from "./config_parse.ts";

type Table = typeof CONFIG_TABLE;

/** Everything an edge is configured with: one field per entry of {@linkcode CONFIG_TABLE}, typed by its parser. */
export type EdgeConfig = { readonly [K in keyof Table]: Exclude<ReturnType<Table[K]["parse"]>, Refusal> };

/** One environment variable the edge reads, as the docs show it. */
export interface ConfigVariable {
  readonly name: string;
  readonly default: string;
  readonly doc: string;
}

/** Every variable, its default and what it does, in the table's order: the docs' table is written from this. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.values(CONFIG_TABLE).map((entry) => ({
  name: entry.env,
  default: entry.default,
  doc: entry.doc,
}));

/** True for loopback bind addresses. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** A rule over several fields; it runs only when every field in `uses` was read without a problem. */
interface Rule {
  readonly uses: readonly (keyof EdgeConfig)[];
  readonly check: (config: EdgeConfig) => string | undefined;
}

function rule<K extends keyof EdgeConfig>(
  uses: readonly K[],
  check: (config: Pick<EdgeConfig, K>) => string | undefined,
): Rule {
  return { uses, check };
}

const SASL = new Set(["SASL_PLAINTEXT", "SASL_SSL"]);
const TLS = new Set(["SSL", "SASL_SSL"]);
const T = CONFIG_TABLE;

/** The rules that span more than one variable. */
const RULES: readonly Rule[] = [
  rule(["kafkaSecurityProtocol", "kafkaSaslMechanism"], (c) => {
    const sasl = SASL.has(c.kafkaSecurityProtocol);
    if (sasl && c.kafkaSaslMechanism === undefined) {
      return `${T.kafkaSecurityProtocol.env}=${c.kafkaSecurityProtocol} needs ${T.kafkaSaslMechanism.env}`;
    }
    if (!sasl && c.kafkaSaslMechanism !== undefined) {
      return `${T.kafkaSaslMechanism.env} is set but ${T.kafkaSecurityProtocol.env}=${c.kafkaSecurityProtocol} runs no SASL (use SASL_SSL or SASL_PLAINTEXT)`;
    }
  }),
  rule(["kafkaSaslMechanism", "kafkaSaslUsername", "kafkaSaslPassword", "kafkaSaslPasswordFile"], (c) => {
    const m = c.kafkaSaslMechanism;
    if (m === undefined || m === "OAUTHBEARER") return undefined;
    const given = [c.kafkaSaslPassword, c.kafkaSaslPasswordFile].filter((v) => v !== undefined).length;
    if (c.kafkaSaslUsername === undefined || given !== 1) {
      return `${T.kafkaSaslMechanism.env}=${m} needs ${T.kafkaSaslUsername.env} and one of ${T.kafkaSaslPassword.env} or ${T.kafkaSaslPasswordFile.env}`;
    }
  }),
  rule(["kafkaSaslMechanism", "kafkaOauthTokenCommand", "kafkaOauthTokenFile"], (c) => {
    const given = [c.kafkaOauthTokenCommand, c.kafkaOauthTokenFile].filter((v) => v !== undefined).length;
    if (c.kafkaSaslMechanism === "OAUTHBEARER" && given !== 1) {
      return `${T.kafkaSaslMechanism.env}=OAUTHBEARER needs exactly one of ${T.kafkaOauthTokenCommand.env} or ${T.kafkaOauthTokenFile.env}`;
    }
    if (c.kafkaSaslMechanism !== "OAUTHBEARER" && given > 0) {
      return `${T.kafkaOauthTokenCommand.env} and ${T.kafkaOauthTokenFile.env} need ${T.kafkaSaslMechanism.env}=OAUTHBEARER`;
    }
  }),
  rule(
    ["kafkaSecurityProtocol", "kafkaSslCaFile", "kafkaSslCertFile", "kafkaSslKeyFile", "kafkaSslServerName"],
    (c) => {
      const set = ([["kafkaSslCaFile", c.kafkaSslCaFile], ["kafkaSslCertFile", c.kafkaSslCertFile], [
        "kafkaSslKeyFile",
        c.kafkaSslKeyFile,
      ], ["kafkaSslServerName", c.kafkaSslServerName]] as const).filter(([, v]) => v !== undefined).map(([k]) =>
        T[k].env
      );
      if (!TLS.has(c.kafkaSecurityProtocol) && set.length > 0) {
        return `${
          set.join(", ")
        } set but ${T.kafkaSecurityProtocol.env}=${c.kafkaSecurityProtocol} runs no TLS (use SSL or SASL_SSL)`;
      }
      if ((c.kafkaSslCertFile === undefined) !== (c.kafkaSslKeyFile === undefined)) {
        return `${T.kafkaSslCertFile.env} and ${T.kafkaSslKeyFile.env} go together (mTLS)`;
      }
    },
  ),
  rule(
    ["jwtSecret", "jwtSecretFile", "jwtPublicKeys", "jwtIssuers"],
    (c) =>
      c.jwtSecret === "" && c.jwtSecretFile === undefined && c.jwtPublicKeys.trim() === "" && c.jwtIssuers.length === 0
        ? `${CONFIG_TABLE.jwtSecret.env} (HS256), ${CONFIG_TABLE.jwtPublicKeys.env} (EdDSA) or ${CONFIG_TABLE.jwtIssuers.env} (JWKS) must be set`
        : undefined,
  ),
  rule(
    ["jwtSecret", "jwtSecretFile"],
    (c) =>
      c.jwtSecret !== "" && c.jwtSecretFile !== undefined
        ? `set one of ${CONFIG_TABLE.jwtSecret.env} or ${CONFIG_TABLE.jwtSecretFile.env}, not both`
        : undefined,
  ),
  rule(
    ["opsToken", "adminHost"],
    (c) =>
      c.opsToken === undefined && !isLoopback(c.adminHost)
        ? `${CONFIG_TABLE.adminHost.env}=${c.adminHost} exposes the admin port beyond loopback: set ${CONFIG_TABLE.opsToken.env}, or bind it to 127.0.0.1`
        : undefined,
  ),
];

/** The raw text of an unset variable: its default, empty for a placeholder, with `<hostname>` and `<pid>` filled in. */
function unsetValue(fallback: string, host: { hostname: string; pid: number }): string {
  if (fallback.startsWith("(")) return "";
  return fallback.replaceAll("<hostname>", host.hostname).replaceAll("<pid>", String(host.pid));
}

/**
 * Reads the edge's configuration from `env`, each variable once, through its entry in
 * {@linkcode CONFIG_TABLE}. Every bad value is reported at once, in a VeltrixError with code
 * INVALID_CONFIG.
 */
export function loadEdgeConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { hostname: string; pid: number },
): EdgeConfig {
  return loadFields(env, defaults, Object.keys(CONFIG_TABLE) as (keyof EdgeConfig)[]) as EdgeConfig;
}

/**
 * Reads only `fields` from `env`, with the rules that use nothing else: for tools that need a part
 * of the edge's settings (the Kafka connection), without the edge's required variables.
 */
export function loadConfigFields<K extends keyof EdgeConfig>(
  env: Readonly<Record<string, string | undefined>>,
  fields: readonly K[],
): Pick<EdgeConfig, K> {
  return loadFields(env, { hostname: "", pid: 0 }, fields) as Pick<EdgeConfig, K>;
}

function loadFields(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { hostname: string; pid: number },
  fields: readonly (keyof EdgeConfig)[],
): Partial<EdgeConfig> {
  const problems: string[] = [];
  const refused = new Set<string>();
  const config: Record<string, unknown> = {};
  for (const field of fields) {
    const entry: ConfigEntry<unknown> = CONFIG_TABLE[field];
    const value = entry.parse(env[entry.env] ?? unsetValue(entry.default, defaults), entry.env);
    if (value instanceof Refusal) {
      problems.push(...value.problems);
      refused.add(field);
    } else {
      config[field] = value;
    }
  }
  for (const { uses, check } of RULES) {
    if (uses.some((field) => refused.has(field) || !fields.includes(field))) continue;
    const problem = check(config as EdgeConfig);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) {
    throw new VeltrixError("INVALID_CONFIG", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return Object.freeze(config as Partial<EdgeConfig>);
}
