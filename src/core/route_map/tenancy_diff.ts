import type { RoutableMap, TenantQuotaSource } from "./routable_map.ts";
import { OTHER_TENANT } from "./tenancy.ts";

const SCOPE_NAMES: Readonly<Record<number, string>> = { 0: "edge (unset)", 1: "edge", 2: "fleet" };

/**
 * How the tenant quotas of `before` and `after` differ, one line each: the quota scope, each
 * tenant added or removed, and each limit or topic prefix that changed (`other` for the unlisted
 * tenants). Empty when they are the same.
 *
 * @example
 * ```ts
 * import { tenantQuotaDifferences } from "./tenancy_diff.ts";
 * const map = { version: 1n, deadLetterTopic: "", routes: [] };
 * tenantQuotaDifferences(map, { ...map, tenantQuotaScope: 2 }); // ["tenant quota scope: edge (unset) -> fleet"]
 * ```
 */
export function tenantQuotaDifferences(before: RoutableMap, after: RoutableMap): string[] {
  const lines: string[] = [];
  const scopeOf = (map: RoutableMap) => SCOPE_NAMES[map.tenantQuotaScope ?? 0] ?? `unknown (${map.tenantQuotaScope})`;
  if (scopeOf(before) !== scopeOf(after)) lines.push(`tenant quota scope: ${scopeOf(before)} -> ${scopeOf(after)}`);
  const was = tenantsOf(before);
  const will = tenantsOf(after);
  for (const [name, quota] of will) {
    const old = was.get(name);
    if (old === undefined) lines.push(`tenant ${name}: added (${describe(quota)})`);
    else {
      const changes = changed(old, quota);
      if (changes.length > 0) lines.push(`tenant ${name}: ${changes.join(", ")}`);
    }
  }
  for (const name of was.keys()) if (!will.has(name)) lines.push(`tenant ${name}: removed`);
  return lines;
}

type Limits = Pick<TenantQuotaSource, "eventsPerSecond" | "maxConnections" | "bytesPerSecond" | "topicPrefix">;

const LIMITS = [
  ["eventsPerSecond", "events/s"],
  ["maxConnections", "connections"],
  ["bytesPerSecond", "bytes/s"],
] as const;

function tenantsOf(map: RoutableMap): Map<string, Limits> {
  const tenants = new Map<string, Limits>((map.tenants ?? []).map((t) => [t.name, t]));
  const other = map.otherTenants;
  tenants.set(OTHER_TENANT, other ?? { eventsPerSecond: 0, maxConnections: 0, bytesPerSecond: 0, topicPrefix: "" });
  return tenants;
}

function limit(value: number): string {
  return value === 0 ? "no limit" : String(value);
}

function describe(quota: Limits): string {
  const parts = LIMITS.map(([field, unit]) => `${unit} ${limit(quota[field])}`);
  if (quota.topicPrefix !== "") parts.push(`prefix ${quota.topicPrefix}`);
  return parts.join(", ");
}

function changed(before: Limits, after: Limits): string[] {
  const changes: string[] = [];
  for (const [field, unit] of LIMITS) {
    if (before[field] !== after[field]) changes.push(`${unit} ${limit(before[field])} -> ${limit(after[field])}`);
  }
  if (before.topicPrefix !== after.topicPrefix) {
    changes.push(`prefix ${before.topicPrefix || "none"} -> ${after.topicPrefix || "none"}`);
  }
  return changes;
}
