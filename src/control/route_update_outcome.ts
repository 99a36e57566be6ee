/**
 * What became of a route update: {@link UpdateOutcome} for the one who sent it, and
 * {@link RefusedUpdate} for fleet status.
 *
 * @module
 */
import type { RouteMapOrigin } from "../core/route_map/live_route_table.ts";
import type { RouteMapProblem } from "../core/route_map/route_map_problem.ts";
import type { AppliedRouteMap } from "../core/route_map/live_route_table.ts";
import type { VeltrixError } from "../core/errors/veltrix_error.ts";

/** An update this edge refused, as fleet status reports it. */
export interface RefusedUpdate {
  /** The version the update claimed, when it could be read. */
  readonly version: bigint | undefined;
  readonly error: VeltrixError;
  readonly source: RouteMapOrigin;
}

/** The outcome of one update. */
export type UpdateOutcome =
  | { readonly ok: true; readonly applied: AppliedRouteMap; readonly published: boolean }
  | {
    readonly ok: false;
    readonly error: VeltrixError;
    readonly problems?: readonly RouteMapProblem[];
    readonly currentVersion: bigint;
  };
