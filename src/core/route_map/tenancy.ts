import type { RoutableMap, TenantQuotaSource } from "./routable_map.ts";
import type { RouteMapProblem } from "./route_map_problem.ts";
import { topicNameProblem } from "./topic_name.ts";

/** The label, metrics name and quota of every tenant a map does not list (and of players without the claim). */
export const OTHER_TENANT = "other";

/** Longest tenant name a map may list; longer claim values are "other". */
export const MAX_TENANT_NAME_LENGTH = 128;

/**
 * Most tenants a map may list. Each listed tenant costs an edge a metrics label per tenant series
 * and, with `VELTRIX_PRODUCE_LANES=tenant`, a produce lane: a batcher and a Kafka producer of its
 * own (a connection per broker it writes to). A map listing more is invalid (INVALID_ROUTE_MAP).
 */
export const MAX_TENANTS = 64;

/**
 * What a map's tenant quotas hold for: `edge`, each edge gives each tenant its whole quota (a
 * map without a scope); `fleet`, the quota is the tenant's total over the live edges of the fleet.
 */
export type TenantQuotaScope = "edge" | "fleet";

/** The proto enum values of `RouteMap.tenant_quota_scope` (0, unset, reads as edge). */
const SCOPES: Readonly<Record<number, TenantQuotaScope>> = { 0: "edge", 1: "edge", 2: "fleet" };

/** One tenant's quota as the map gives it, resolved: Infinity is no limit. */
export interface TenantQuota {
  /** The claim's value, or {@link OTHER_TENANT}: also the tenant's metrics label. */
  readonly name: string;
  readonly eventsPerSecond: number;
  readonly maxConnections: number;
  readonly bytesPerSecond: number;
  /** Prefixed to each topic the tenant's events go to; "" for none. */
  readonly topicPrefix: string;
  /** Whether the limits hold on each edge or for the fleet (the map's scope, the same for every tenant). */
  readonly scope: TenantQuotaScope;
}

/** What a tenant's own table must offer (a `RouteTable`; named so to keep this file free of it). */
export interface TenantTable {
  readonly topics: readonly string[];
}

/**
 * The tenants of a route map: each listed tenant's quota and, when it has a topic prefix, the
 * table its events are routed by. Immutable; made by `compileRouteMap`.
 */
export class Tenancy<Table extends TenantTable = TenantTable> {
  /** The quota of every tenant not listed. */
  readonly other: TenantQuota;
  /** The listed tenants, in map order. */
  readonly listed: readonly TenantQuota[];
  readonly #byName: ReadonlyMap<string, TenantQuota>;
  readonly #tables: ReadonlyMap<string, Table>;

  constructor(listed: readonly TenantQuota[], other: TenantQuota, tables: ReadonlyMap<string, Table> = new Map()) {
    this.listed = Object.freeze([...listed]);
    this.other = other;
    this.#byName = new Map(listed.map((quota) => [quota.name, quota]));
    this.#tables = tables;
    Object.freeze(this);
  }

  /** The quota of `tenant` (a claim value, or undefined without one): its own when listed, else "other"'s. */
  quotaOf(tenant: string | undefined): TenantQuota {
    return (tenant === undefined ? undefined : this.#byName.get(tenant)) ?? this.other;
  }

  /** The table a listed tenant with a topic prefix is routed by; undefined: the map's own. */
  tableOf(tenant: string): Table | undefined {
    return this.#tables.get(tenant);
  }

  /** Whether the quotas hold on each edge or for the fleet. */
  get scope(): TenantQuotaScope {
    return this.other.scope;
  }

  /** The tenant tables, by tenant name. */
  get tables(): ReadonlyMap<string, Table> {
    return this.#tables;
  }

  /**
   * The listed tenant whose topic prefix starts `topic` (the longest), for tools that read a
   * tenant's dead letters back; undefined when none does.
   */
  tenantOfTopic(topic: string): TenantQuota | undefined {
    let found: TenantQuota | undefined;
    for (const quota of this.listed) {
      if (quota.topicPrefix === "" || !topic.startsWith(quota.topicPrefix)) continue;
      if (found === undefined || quota.topicPrefix.length > found.topicPrefix.length) found = quota;
    }
    return found;
  }
}

/** No tenants: every player is "other", with no limit. */
export const NO_TENANCY: Tenancy<never> = new Tenancy<never>([], resolveQuota(undefined, OTHER_TENANT, "edge"));

/** A quota's limits with 0 read as no limit. */
function resolveQuota(source: TenantQuotaSource | undefined, name: string, scope: TenantQuotaScope): TenantQuota {
  const unlimited = (value: number | undefined) => value === undefined || value === 0 ? Infinity : value;
  return Object.freeze({
    name,
    eventsPerSecond: unlimited(source?.eventsPerSecond),
    maxConnections: unlimited(source?.maxConnections),
    bytesPerSecond: unlimited(source?.bytesPerSecond),
    topicPrefix: name === OTHER_TENANT ? "" : source?.topicPrefix ?? "",
    scope,
  });
}

/** The tenants of `map`, checked; problems are pushed onto `problems`. */
export function resolveTenants(
  map: RoutableMap,
  problems: RouteMapProblem[],
): { readonly listed: TenantQuota[]; readonly other: TenantQuota } {
  const listed: TenantQuota[] = [];
  const names = new Set<string>();
  const scope = SCOPES[map.tenantQuotaScope ?? 0];
  if (scope === undefined) {
    problems.push({ path: "tenantQuotaScope", message: `unknown tenant quota scope ${map.tenantQuotaScope}` });
  }
  const tenants = map.tenants ?? [];
  if (tenants.length > MAX_TENANTS) {
    problems.push({
      path: "tenants",
      message: `a map lists at most ${MAX_TENANTS} tenants; this one lists ${tenants.length}`,
    });
  }
  for (let t = 0; t < tenants.length; t++) {
    const source = tenants[t]!;
    const path = `tenants[${t}]`;
    if (source.name === "") problems.push({ path: `${path}.name`, message: "tenant name is empty" });
    else if (source.name === OTHER_TENANT) {
      problems.push({
        path: `${path}.name`,
        message: `"${OTHER_TENANT}" names the unlisted tenants: use otherTenants`,
      });
    } else if (source.name.length > MAX_TENANT_NAME_LENGTH) {
      problems.push({
        path: `${path}.name`,
        message: `tenant name is longer than ${MAX_TENANT_NAME_LENGTH} characters`,
      });
    } else if (names.has(source.name)) {
      problems.push({ path: `${path}.name`, message: `duplicate tenant "${source.name}"` });
    }
    names.add(source.name);
    if (source.topicPrefix !== "") {
      const problem = topicNameProblem(`${source.topicPrefix}x`);
      if (problem !== undefined) problems.push({ path: `${path}.topicPrefix`, message: problem });
    }
    listed.push(resolveQuota(source, source.name, scope ?? "edge"));
  }
  if (map.otherTenants !== undefined && map.otherTenants.topicPrefix !== "") {
    problems.push({ path: "otherTenants.topicPrefix", message: "the unlisted tenants take no topic prefix" });
  }
  return { listed, other: resolveQuota(map.otherTenants, OTHER_TENANT, scope ?? "edge") };
}

/** `map` with every topic it writes to (targets, dead-letter and bad-event topics) prefixed with `prefix`, and no tenants. */
export function prefixedMap(map: RoutableMap, prefix: string): RoutableMap {
  const prefixed = (topic: string | undefined) => topic === undefined || topic === "" ? topic : prefix + topic;
  return {
    version: map.version,
    deadLetterTopic: prefixed(map.deadLetterTopic)!,
    routes: map.routes.map((route) => ({
      ...route,
      targets: route.targets.map((target) => ({ ...target, topic: prefix + target.topic })),
    })),
    ...(map.schemas === undefined ? {} : { schemas: map.schemas }),
    ...(map.badEventTopic === undefined ? {} : { badEventTopic: prefixed(map.badEventTopic)! }),
  };
}

/** A tenant's quota as the admin API (`GET /v1/routes`), the dashboard and the ops CLI show it: null is no limit. */
export interface TenantQuotaJson {
  readonly name: string;
  readonly eventsPerSecond: number | null;
  readonly maxConnections: number | null;
  readonly bytesPerSecond: number | null;
  /** "" for none. */
  readonly topicPrefix: string;
}

/** The listed tenants' quotas in map order, then "other"'s, as JSON. */
export function tenantQuotasToJson(
  tenants: { readonly listed: readonly TenantQuota[]; readonly other: TenantQuota },
): TenantQuotaJson[] {
  const limit = (value: number) => Number.isFinite(value) ? value : null;
  return [...tenants.listed, tenants.other].map((quota) => ({
    name: quota.name,
    eventsPerSecond: limit(quota.eventsPerSecond),
    maxConnections: limit(quota.maxConnections),
    bytesPerSecond: limit(quota.bytesPerSecond),
    topicPrefix: quota.topicPrefix,
  }));
}
