/**
 * The edge's configuration, read from the environment through {@linkcode CONFIG_TABLE}: the
 * {@linkcode EdgeConfig} type, the list of variables the docs show, and the loader with the rules
 * that span more than one variable.
 *
 * @module
 */
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { Refusal } from "./config_parse.ts";
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

/** The rules that span more than one variable. */
const RULES: readonly Rule[] = [
  rule(
    ["jwtSecret", "jwtPublicKeys"],
    (c) =>
      c.jwtSecret === "" && c.jwtPublicKeys.trim() === ""
        ? `${CONFIG_TABLE.jwtSecret.env} (HS256) or ${CONFIG_TABLE.jwtPublicKeys.env} (EdDSA) must be set`
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
  const problems: string[] = [];
  const refused = new Set<string>();
  const config: Record<string, unknown> = {};
  for (const [field, entry] of Object.entries(CONFIG_TABLE)) {
    const value = entry.parse(env[entry.env] ?? unsetValue(entry.default, defaults), entry.env);
    if (value instanceof Refusal) {
      problems.push(...value.problems);
      refused.add(field);
    } else {
      config[field] = value;
    }
  }
  for (const { uses, check } of RULES) {
    if (uses.some((field) => refused.has(field))) continue;
    const problem = check(config as EdgeConfig);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) {
    throw new VeltrixError("INVALID_CONFIG", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return Object.freeze(config as EdgeConfig);
}
