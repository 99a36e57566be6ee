/**
 * Where `deno task fleet` puts things: the balancer's client port, each edge's client and admin
 * port, and the folder of pid files, logs and state (`.veltrix/fleet/`, ignored by git).
 *
 * @module
 */

/** The balancer's client port: the one URL players connect to. */
export const FLEET_CLIENT_PORT = 8800;
/** The balancer's stats page port. */
export const FLEET_STATS_PORT = 8899;
/** Edge `i` (from 1) serves clients on `8800 + i` and its admin port on `8900 + i`. */
export const EDGE_CLIENT_BASE_PORT = 8800;
export const EDGE_ADMIN_BASE_PORT = 8900;
/** How long a SIGTERMed fleet edge stays serving while the balancer takes it out of rotation. */
export const FLEET_DRAIN_DELAY_MS = 2_000;

/** One edge of the fleet. */
export interface FleetEdge {
  readonly index: number;
  readonly name: string;
  readonly port: number;
  readonly adminPort: number;
}

/** The `n` edges of the fleet. */
export function fleetEdges(n: number): FleetEdge[] {
  return Array.from({ length: n }, (_, i) => ({
    index: i + 1,
    name: `edge-${i + 1}`,
    port: EDGE_CLIENT_BASE_PORT + i + 1,
    adminPort: EDGE_ADMIN_BASE_PORT + i + 1,
  }));
}

/** The fleet's folder under the repository root. */
export function fleetDir(root: string): string {
  return `${root}.veltrix/fleet`;
}
