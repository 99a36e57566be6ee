/**
 * The regular-expression engine of payload schemas: RE2 (npm `re2js`, a pure-JavaScript port of
 * Google's RE2), which matches in time linear in the input, so that no `pattern` a signed map
 * brings can make one event cost seconds. ajv runs every `pattern` and `patternProperties` key on
 * it (its `code.regExp` option), never on V8's backtracking engine.
 *
 * RE2 has no backreferences or lookaround (`unsafe_regex.ts` refuses those with a clear reason) and
 * writes a code point as `\x{41}`: the `\u0041` and `\u{41}` escapes of JavaScript are translated.
 *
 * @module
 */
import { RE2JS } from "re2js";

/** What ajv calls a regular expression: something that tests a string. */
export interface RegExpLike {
  test(text: string): boolean;
}

/** ajv's `code.regExp`: compiles `pattern` with RE2 (ajv's `u` flag changes nothing: RE2 reads code points). */
export const re2RegExp: ((pattern: string, flags: string) => RegExpLike) & { code: string } = Object.assign(
  (pattern: string, _flags: string): RegExpLike => RE2JS.compile(re2Syntax(pattern)),
  { code: "re2RegExp" },
);

/** Why RE2 cannot run `pattern`, or undefined when it can. */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(re2Syntax(pattern));
    return undefined;
  } catch (error) {
    return `the linear-time engine (RE2) cannot run it: ${(error as Error).message}`;
  }
}

/** `pattern` with JavaScript's `\uXXXX` and `\u{X}` escapes written as RE2's `\x{X}`. */
export function re2Syntax(pattern: string): string {
  if (!pattern.includes("\\u")) return pattern;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const rest = pattern.slice(i + 1);
    const fixed = /^u([0-9A-Fa-f]{4})/.exec(rest) ?? /^u\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
    if (fixed !== null) {
      out += `\\x{${fixed[1]}}`;
      i += fixed[0].length;
    } else {
      out += c + (pattern[i + 1] ?? "");
      i++;
    }
  }
  return out;
}
