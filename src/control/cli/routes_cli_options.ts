/**
 * What every command of the ops CLI (`deno task routes`) shares: its usage text, its one error
 * type, and reading its options.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseDuration } from "./rollout_cli.ts";

/** A CLI failure: printed as it is, exit code 1. */
export class RoutesCliError extends Error {}

/** The usage text of the built-in commands. */
export const ROUTES_USAGE = `usage: deno task routes <command>
  keygen --out DIR [--id ID]
  validate MAP.json
  sign --key FILE --key-id ID MAP.json --out FILE
  push --admin URL FILE [--wait [--timeout 30s]]
  push --admin URL MAP.json --key FILE --key-id ID [--canary 10% [--salt S] | --canary-claim NAME=VALUE] [--wait]
  promote --admin URL --key FILE --key-id ID [--wait [--timeout 30s]]
  abort --admin URL --key FILE --key-id ID [--wait [--timeout 30s]]
  status --admin URL [--wait [--timeout 30s]]
  show --admin URL
  diff --admin URL MAP.json [--traffic]`;

/** The options of a command that talks to an edge's admin API and may wait for the fleet. */
export const ADMIN_OPTIONS = {
  admin: { type: "string" },
  wait: { type: "boolean" },
  timeout: { type: "string" },
} as const;

/** The options of a command that signs with a private key file. */
export const KEY_OPTIONS = {
  key: { type: "string" },
  "key-id": { type: "string" },
} as const;

/**
 * Reads `args` by `spec` and expects exactly `positionals` file arguments.
 * @throws RoutesCliError on an unknown option or the wrong number of files, with the usage text.
 */
export function cliOptions(
  args: string[],
  spec: Record<string, { type: "string" | "boolean" }>,
  positionals: number,
): { values: Record<string, string | undefined>; files: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new RoutesCliError(`${(error as Error).message}\n${ROUTES_USAGE}`);
  }
  if (parsed.positionals.length !== positionals) {
    throw new RoutesCliError(
      `expected ${positionals} file argument(s), got ${parsed.positionals.length}\n${ROUTES_USAGE}`,
    );
  }
  return { values: parsed.values as Record<string, string | undefined>, files: parsed.positionals };
}

/** The value of `--name`; throws a RoutesCliError when it is missing or empty. */
export function requiredOption(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (value === undefined || value === "") throw new RoutesCliError(`--${name} is required\n${ROUTES_USAGE}`);
  return value;
}

/** The `--admin` URL without trailing slashes; required. */
export function adminUrl(values: Record<string, string | undefined>): string {
  return requiredOption(values, "admin").replace(/\/+$/, "");
}

/** The `--timeout` duration in ms (30 s when not given); throws a RoutesCliError when it is not a duration. */
export function timeoutOption(values: Record<string, string | undefined>): number {
  const timeoutMs = parseDuration(values.timeout ?? "30s");
  if (timeoutMs === undefined) {
    throw new RoutesCliError(`--timeout must be a duration such as 30s, got "${values.timeout}"`);
  }
  return timeoutMs;
}
