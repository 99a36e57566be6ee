/**
 * What a payload schema's regular expressions (`pattern`, the keys of `patternProperties`) may not
 * hold. They run on RE2 (`re2_engine.ts`), in time linear in the input, so no shape of repetition
 * needs refusing; what is refused here is what RE2 cannot run, with a reason a map author can act
 * on, and an overlong pattern:
 * - a backreference (`\1`, `\k<name>`);
 * - a lookahead or lookbehind (`(?=`, `(?!`, `(?<=`, `(?<!`);
 * - more than {@link MAX_PATTERN_LENGTH} characters.
 * Any other syntax RE2 does not take is reported by `re2Problem`.
 *
 * @module
 */

/** Longest pattern a schema may hold, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 256;

/**
 * Why `pattern` cannot be a payload schema's pattern (RE2 has no backreferences or lookaround), or
 * undefined when this check passes it.
 *
 * @example
 * ```ts
 * import { unsafeRegexProblem } from "./unsafe_regex.ts";
 * unsafeRegexProblem("^(a+)+$"); // undefined: RE2 runs it in linear time
 * unsafeRegexProblem("^(a)\\1$"); // "backreferences are not allowed ..."
 * ```
 */
export function unsafeRegexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(next) || next === "k")) {
        return "backreferences are not allowed (patterns run on RE2, which has none)";
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(" && pattern[i + 1] === "?") {
      const kind = pattern[i + 2];
      if (kind === "=" || kind === "!" || (kind === "<" && /[=!]/.test(pattern[i + 3] ?? ""))) {
        return "lookahead and lookbehind are not allowed (patterns run on RE2, which has none)";
      }
    }
  }
  return undefined;
}
