/**
 * Test helper: a tenant's quota without limits, for tests that set only the limits they are about.
 *
 * @module
 */
import type { TenantQuota } from "../tenancy.ts";

/**
 * A quota for `name` with no limit on events, connections or bytes, no topic prefix and the edge
 * scope; `limits` overrides any of them.
 *
 * @example
 * ```ts
 * import { tenantQuota } from "./tenant_quota.ts";
 * const kart = tenantQuota("kart", { eventsPerSecond: 20 });
 * ```
 */
export function tenantQuota(name: string, limits: Partial<TenantQuota> = {}): TenantQuota {
  return {
    name,
    eventsPerSecond: Infinity,
    maxConnections: Infinity,
    bytesPerSecond: Infinity,
    topicPrefix: "",
    scope: "edge",
    ...limits,
  };
}
