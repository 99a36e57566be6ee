/**
 * The HAProxy configuration in front of an edge fleet: one client port, WebSocket upgrades passed
 * through (HTTP mode, a long tunnel timeout), least-connections balancing, and health checks on
 * each edge's `GET /readyz`, so that an edge that starts draining (503) leaves rotation before it
 * closes its sockets. A stats page (CSV) says which edges are up.
 *
 * @module
 */

/** One edge behind the balancer. */
export interface BackendEdge {
  readonly name: string;
  /** `host:port` of the edge's client port. */
  readonly address: string;
}

/** How the balancer listens and checks. */
export interface BalancerSettings {
  /** `host:port` clients connect to. */
  readonly listen: string;
  /** `host:port` of the stats page (`/stats;csv`). */
  readonly stats: string;
  readonly edges: readonly BackendEdge[];
  /** Health check interval, in ms. */
  readonly checkIntervalMs: number;
  /** Failed checks before an edge leaves rotation. */
  readonly fall: number;
  /** Passed checks before an edge (back) enters rotation. */
  readonly rise: number;
  readonly maxConnections: number;
}

/** The checks used by `deno task fleet` and the cluster tests: an edge leaves rotation within 1 s. */
export const DEFAULT_CHECKS = { checkIntervalMs: 500, fall: 2, rise: 2 } as const;

/** The longest a draining edge stays in rotation: `fall` checks, one interval apart, plus one interval of phase. */
export function rotationExitMs(settings: Pick<BalancerSettings, "checkIntervalMs" | "fall">): number {
  return settings.checkIntervalMs * (settings.fall + 1);
}

/**
 * The most connections HAProxy may take under an open-file limit of `limit`: each proxied
 * connection holds two descriptors (client and edge), and it keeps some for itself.
 */
export function maxConnectionsFor(requested: number, limit: number | undefined): number {
  return limit === undefined ? requested : Math.max(100, Math.min(requested, Math.floor((limit - 200) / 2)));
}

/** `haproxy.cfg` text for `settings`. */
export function haproxyConfig(settings: BalancerSettings): string {
  const { checkIntervalMs: inter, fall, rise } = settings;
  return [
    "# Written by tools/fleet (deno task fleet); do not edit.",
    "global",
    `  maxconn ${settings.maxConnections}`,
    "",
    "defaults",
    "  mode http",
    "  option redispatch",
    "  retries 2",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    // A WebSocket is a tunnel once upgraded: its idle limit is the edge's (VELTRIX_IDLE_TIMEOUT_MS).
    "  timeout tunnel 1h",
    "  timeout client-fin 5s",
    "  timeout http-request 10s",
    "",
    "frontend veltrix",
    `  bind ${settings.listen}`,
    "  default_backend edges",
    "",
    "backend edges",
    "  balance leastconn",
    "  option httpchk GET /readyz",
    "  http-check expect status 200",
    `  default-server check inter ${inter}ms fastinter ${
      Math.max(100, inter / 2)
    }ms downinter ${inter}ms fall ${fall} rise ${rise}`,
    ...settings.edges.map((edge) => `  server ${edge.name} ${edge.address}`),
    "",
    "frontend stats",
    `  bind ${settings.stats}`,
    "  stats enable",
    "  stats uri /stats",
    "  stats refresh 1s",
    "",
  ].join("\n");
}

/** Each backend edge's status (`UP`, `DOWN`, `MAINT`, `UP 1/2`...) from the stats page's CSV. */
export function backendStatuses(csv: string): Map<string, string> {
  const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n");
  const columns = header!.split(",");
  const [proxy, server, status] = ["pxname", "svname", "status"].map((name) => columns.indexOf(name));
  const statuses = new Map<string, string>();
  for (const row of rows) {
    const cells = row.split(",");
    if (cells[proxy!] !== "edges" || cells[server!] === "BACKEND" || cells[server!] === "FRONTEND") continue;
    statuses.set(cells[server!]!, cells[status!]!);
  }
  return statuses;
}
