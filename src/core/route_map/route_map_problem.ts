/**
 * What is wrong with a route map, and the one way it is written out: in refusals over HTTP and
 * RPC, in logs and in the ops CLI.
 *
 * @module
 */

/** One thing wrong with a route map: where, and what. */
export interface RouteMapProblem {
  /** A path into the map, for example `routes[2].targets[0].topic`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Writes `problems` as `path: message` entries joined by `separator`.
 *
 * @param separator what goes between two problems. @default "; "
 * @example
 * ```ts
 * import { formatRouteMapProblems } from "./route_map_problem.ts";
 * formatRouteMapProblems([{ path: "version", message: "version must be at least 1" }]);
 * // "version: version must be at least 1"
 * ```
 */
export function formatRouteMapProblems(problems: readonly RouteMapProblem[], separator = "; "): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join(separator);
}
