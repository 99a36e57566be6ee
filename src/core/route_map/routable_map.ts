import type {
  Format,
  KeyStrategy,
  SchemaViolationAction,
  TenantQuotaScope,
} from "../../gen/veltrix/v1/route_map_pb.ts";

/**
 * The fields of a `veltrix.v1.RouteMap` that routing needs: a RouteMap message has them, and so
 * does the plain object the fast update decoder makes.
 */
export interface RoutableMap {
  readonly version: bigint;
  readonly deadLetterTopic: string;
  readonly routes: readonly {
    readonly name: string;
    readonly match: string;
    readonly targets: readonly { readonly topic: string; readonly key: KeyStrategy; readonly format: Format }[];
    /** Absent is UNSPECIFIED (REJECT). */
    readonly onSchemaViolation?: SchemaViolationAction;
  }[];
  /** Payload schemas by match; absent is none. */
  readonly schemas?: readonly { readonly match: string; readonly jsonSchema: string }[];
  /** Where events that fail a DEAD_LETTER route's schema go; absent or "" is none. */
  readonly badEventTopic?: string;
  /** Tenants and their quotas; absent is none (every player is in "other"). */
  readonly tenants?: readonly TenantQuotaSource[];
  /** The quota every unlisted tenant shares as "other"; absent is no limit. */
  readonly otherTenants?: TenantQuotaSource;
  /** Whether the quotas hold per edge or for the fleet; absent is UNSPECIFIED (per edge). */
  readonly tenantQuotaScope?: TenantQuotaScope;
  /** Set when the map is a canary for a cohort of players; absent for a stable map. */
  readonly canary?: {
    readonly basisPoints: number;
    readonly salt: string;
    readonly claim: string;
    readonly claimValue: string;
  };
}

/** The fields of a `veltrix.v1.TenantQuota`: 0 is no limit, "" no prefix. */
export interface TenantQuotaSource {
  readonly name: string;
  readonly eventsPerSecond: number;
  readonly maxConnections: number;
  readonly bytesPerSecond: number;
  readonly topicPrefix: string;
}
