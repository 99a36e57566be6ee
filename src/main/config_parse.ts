/**
 * Parsers for environment values: each turns one variable's raw text into a typed value, or into
 * a {@linkcode Refusal} that says, in whole lines naming the variable, why the value cannot be used.
 *
 * @module
 */
import { isLogLevel, type LogLevel } from "./log.ts";

/** Why a variable's value was refused: one or more lines, each naming the variable. */
export class Refusal {
  constructor(readonly problems: readonly string[]) {}
}

/** Reads one variable's raw text (`name` is the variable, for messages). */
export type Parser<T> = (raw: string, name: string) => T | Refusal;

/** The usual refusal: `NAME="raw" problem`. */
function refuse(name: string, raw: string, problem: string): Refusal {
  return new Refusal([`${name}=${JSON.stringify(raw)} ${problem}`]);
}

/** A whole number from `min` to `max`. */
export const int = (min: number, max: number): Parser<number> => (raw, name) => {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    return refuse(name, raw, `must be an integer from ${min} to ${max}`);
  }
  return value;
};

/** `parse`, then `check` on what it gave: a string from `check` refuses the value with `NAME problem`. */
export const refine = <T>(parse: Parser<T>, check: (value: T) => string | undefined): Parser<T> => (raw, name) => {
  const value = parse(raw, name);
  if (value instanceof Refusal) return value;
  const problem = check(value);
  return problem === undefined ? value : new Refusal([`${name} ${problem}`]);
};

/** Any text that is not blank. */
export const nonEmpty: Parser<string> = (raw, name) => raw.trim() === "" ? refuse(name, raw, "must not be empty") : raw;

/** Any text, as given (the empty string included). */
export const text: Parser<string> = (raw) => raw;

/** Text that is unset when blank. */
export const optional: Parser<string | undefined> = (raw) => raw.trim() === "" ? undefined : raw;

/** Text that, when set, has at least `min` characters; the value is never quoted back (it is a secret). */
export const secret = (min: number): Parser<string> => (raw, name) =>
  raw !== "" && raw.length < min ? new Refusal([`${name} must be at least ${min} characters`]) : raw;

/** A number from 0 to 1. */
export const fraction: Parser<number> = (raw, name) => {
  const value = Number(raw);
  return raw.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1
    ? refuse(name, raw, "must be a number from 0 to 1")
    : value;
};

/** `true` or `false`, exactly. */
export const flag: Parser<boolean> = (raw, name) =>
  raw === "true" ? true : raw === "false" ? false : refuse(name, raw, "must be true or false");

/** A log level: debug, info, warn or error. */
export const logLevel: Parser<LogLevel> = (raw, name) =>
  isLogLevel(raw) ? raw : refuse(name, raw, "must be debug, info, warn or error");

/** Comma-separated entries, each trimmed; empty entries are dropped. */
export const commaList: Parser<readonly string[]> = (raw) => split(raw);

/** A non-empty comma-separated list of `host:port` entries, each trimmed; every bad entry is named. */
export const hostPorts: Parser<readonly string[]> = (raw, name) => {
  if (raw.trim() === "") return refuse(name, raw, "must not be empty");
  const entries = split(raw);
  if (entries.length === 0) return new Refusal([`${name} must name a host:port`]);
  const bad = entries.filter((entry) => !/^[^:\s]+:\d{1,5}$/.test(entry));
  return bad.length === 0 ? entries : new Refusal(bad.map((entry) => `${name} entry "${entry}" must be host:port`));
};

function split(raw: string): string[] {
  return raw.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
}

/** One of `choices`, exactly as written. */
export const oneOf = <T extends string>(choices: readonly T[]): Parser<T> => (raw, name) =>
  (choices as readonly string[]).includes(raw.trim())
    ? raw.trim() as T
    : refuse(name, raw, `must be one of ${choices.join(", ")}`);

/** Unset when blank, else one of `choices`, exactly as written. */
export const optionalOneOf = <T extends string>(choices: readonly T[]): Parser<T | undefined> => (raw, name) =>
  raw.trim() === "" ? undefined : oneOf(choices)(raw, name);

/** One environment variable. */
export interface ConfigEntry<T> {
  /** The variable's name. */
  readonly env: string;
  /**
   * The value an unset variable takes, as the docs show it. In parentheses (`(none)`, `(any)`,
   * `(required)`) it is a placeholder and an unset variable reads as empty text; `<hostname>` and
   * `<pid>` stand for the host's name and the process id.
   */
  readonly default: string;
  /** Turns the raw text into the config field's value, or refuses it. */
  readonly parse: Parser<T>;
  /** What it does, as one line of Markdown. */
  readonly doc: string;
  /**
   * True for a credential (a password, a signing secret, a token, keys an operator keeps private):
   * deploy files take it from a Secret, never inline (the Helm chart's `secrets` section).
   * @default false
   */
  readonly secret?: boolean;
}
