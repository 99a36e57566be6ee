import { eventTypeProblem } from "../frames/event_constraints.ts";

/**
 * A parsed route `match`: an exact type, a prefix pattern such as `treasure.*` (which matches
 * `treasure.collected` but not `treasure` itself), or `*` for every type.
 */
export type RoutePattern =
  | { readonly kind: "exact"; readonly type: string }
  | { readonly kind: "prefix"; readonly prefix: string }
  | { readonly kind: "all" };

const ALL: RoutePattern = Object.freeze({ kind: "all" });

/** Parses a route `match` string, or returns why it is malformed. */
export function parseRoutePattern(match: string): RoutePattern | { readonly problem: string } {
  if (match === "*") return ALL;
  if (match.endsWith(".*")) {
    const stem = match.slice(0, -2);
    const problem = eventTypeProblem(stem);
    if (problem !== undefined) return { problem: `prefix pattern "${match}": ${problem}` };
    return Object.freeze({ kind: "prefix", prefix: stem + "." });
  }
  const problem = eventTypeProblem(match);
  if (problem !== undefined) {
    return { problem: `"${match}" is neither an event type, a "prefix.*" pattern nor "*": ${problem}` };
  }
  return Object.freeze({ kind: "exact", type: match });
}

/** True when `type` is matched by `pattern`. */
export function patternMatches(pattern: RoutePattern, type: string): boolean {
  switch (pattern.kind) {
    case "all":
      return true;
    case "exact":
      return pattern.type === type;
    case "prefix":
      return type.startsWith(pattern.prefix);
  }
}
