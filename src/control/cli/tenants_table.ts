/**
 * The tenants part of `routes status`: each tenant the stable map in force lists, then "other",
 * with its quota on each edge (events per second, connections, frame bytes per second) and its
 * topic prefix, as `GET /v1/routes` answers them.
 *
 * @module
 */
import type { TenantQuotaJson } from "../../core/route_map/tenancy.ts";

/** The scope of the quotas and the live edges that divide fleet quotas, as `GET /v1/routes` → `tenantQuotas` shows them. */
export interface QuotaShareJson {
  readonly scope: string;
  readonly liveEdges: number;
}

/** The quotas as a table an operator reads at a glance; "no limit" where the map sets none. */
export function tenantsTable(tenants: readonly TenantQuotaJson[], share?: QuotaShareJson): string[] {
  const limit = (value: number | null) => value === null ? "no limit" : String(value);
  const rows = tenants.map((t) => [
    t.name,
    limit(t.eventsPerSecond),
    limit(t.maxConnections),
    limit(t.bytesPerSecond),
    t.topicPrefix === "" ? "-" : t.topicPrefix,
  ]);
  const header = ["TENANT", "EVENTS/S", "CONNECTIONS", "BYTES/S", "TOPIC PREFIX"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  const listed = tenants.length - 1;
  const scope = share?.scope !== "fleet"
    ? "quotas per edge"
    : `quotas for the fleet: this edge enforces ${
      share.liveEdges === 1
        ? "the whole of each, seeing no other live edge"
        : `1/${share.liveEdges} of each, rounded up`
    }`;
  const summary = listed === 0
    ? `no tenants listed: every player is in "other" (${scope})`
    : `${listed} tenant${listed === 1 ? "" : "s"} listed, the rest share "other" (${scope})`;
  return ["", line(header), ...rows.map(line), summary];
}
