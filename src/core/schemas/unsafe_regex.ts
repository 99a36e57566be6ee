/**
 * A static check that keeps catastrophic backtracking out of the regular expressions a payload
 * schema brings (`pattern`, the keys of `patternProperties`). JavaScript's engine backtracks, and
 * a signed map must not be able to make one event cost seconds, so a pattern is refused when it
 * has a shape that can backtrack exponentially or that the check cannot reason about:
 * - a repeating quantifier applied to a group that itself holds a quantifier (`(a+)+`,
 *   `(a*b?){2,}`); an optional group (`(\.\d+)?`) is fine;
 * - a repeating quantifier applied to a group that holds an alternation (`(a|ab)*`);
 * - a backreference (`\1`, `\k<name>`), a lookbehind or lookahead;
 * - more than {@link MAX_PATTERN_LENGTH} characters.
 * What is left runs in time polynomial in the input, with a small degree.
 *
 * @module
 */

/** Longest pattern a schema may hold, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 256;

interface Group {
  /** The group holds a quantifier somewhere inside. */
  quantified: boolean;
  /** The group holds an alternation directly or in a nested group. */
  alternated: boolean;
}

/**
 * Why `pattern` is unsafe to run against client data, or undefined when it passes the check.
 * A pattern that is not a valid regular expression is left to the schema compiler to report.
 *
 * @example
 * ```ts
 * import { unsafeRegexProblem } from "./unsafe_regex.ts";
 * unsafeRegexProblem("^[a-z]+$"); // undefined
 * unsafeRegexProblem("^(a+)+$"); // "nested quantifier ..."
 * ```
 */
export function unsafeRegexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  const stack: Group[] = [{ quantified: false, alternated: false }];
  /** The group that just closed, until the next token says whether it is quantified. */
  let closed: Group | undefined;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(next) || next === "k")) return "backreferences are not allowed";
      i++;
      closed = undefined;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    const quantifier = quantifierLength(pattern, i);
    if (quantifier > 0) {
      if (closed !== undefined && repeats(pattern, i, quantifier) && (closed.quantified || closed.alternated)) {
        return closed.quantified
          ? `nested quantifier at ${i}: a quantified group holds a quantifier`
          : `quantified alternation at ${i}: a quantified group holds "|"`;
      }
      top.quantified = true;
      i += quantifier - 1;
      if (pattern[i + 1] === "?") i++;
      closed = undefined;
      continue;
    }
    closed = undefined;
    if (c === "[") inClass = true;
    else if (c === "|") top.alternated = true;
    else if (c === "(") {
      if (pattern[i + 1] === "?") {
        const kind = pattern[i + 2];
        if (kind === "=" || kind === "!" || (kind === "<" && /[=!]/.test(pattern[i + 3] ?? ""))) {
          return "lookahead and lookbehind are not allowed";
        }
        // `(?:`, `(?<name>` and modifier groups: skip to where the group's body starts.
        const body = kind === "<" ? pattern.indexOf(">", i) : pattern.indexOf(":", i);
        if (body === -1) return undefined;
        i = body;
      }
      stack.push({ quantified: false, alternated: false });
    } else if (c === ")") {
      if (stack.length === 1) return undefined;
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      parent.quantified ||= group.quantified;
      parent.alternated ||= group.alternated;
      closed = group;
    }
  }
  return undefined;
}

/** True when the quantifier at `i` can match more than once (not `?`, `{0,1}`, `{1}`). */
function repeats(pattern: string, i: number, length: number): boolean {
  if (pattern[i] === "?") return false;
  if (pattern[i] !== "{") return true;
  const bounds = pattern.slice(i + 1, i + length - 1).split(",");
  const max = bounds.length === 1 ? Number(bounds[0]) : bounds[1] === "" ? Infinity : Number(bounds[1]);
  return max > 1;
}

/** The length of the quantifier starting at `i` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`), or 0. */
function quantifierLength(pattern: string, i: number): number {
  const c = pattern[i];
  if (c === "*" || c === "+" || c === "?") return 1;
  if (c !== "{") return 0;
  const match = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i, i + 24));
  return match === null ? 0 : match[0].length;
}
