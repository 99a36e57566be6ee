/**
 * What each edge tells the fleet about itself, on a compacted topic keyed by edge id (the Kafka
 * half is `src/kafka/edge_status_topic.ts`): the route-map version in force and when it was
 * applied, the last version it refused and why, and a heartbeat. The value is JSON, so that any
 * consumer can read it.
 *
 * @module
 */
import type { RouteMapOrigin } from "../route_map/live_route_table.ts";

/** The last route map an edge refused. */
export interface EdgeRefusal {
  /** The version the refused map claimed (decimal), or "" when it could not be read. */
  readonly version: string;
  readonly code: string;
  readonly reason: string;
  /** When, as an ISO timestamp. */
  readonly at: string;
}

/** What one route map version routed on one edge since it was applied there. */
export interface EdgeVersionCount {
  /** Decimal. */
  readonly version: string;
  readonly role: "stable" | "canary";
  readonly routed: number;
  readonly rejected: number;
  readonly deadLettered: number;
}

/** The canary an edge runs beside its stable map. */
export interface EdgeCanary {
  /** Decimal. */
  readonly version: string;
  /** As operators write it: `10%` or `cohort=beta`. */
  readonly cohort: string;
  readonly appliedAt: string;
}

/** One edge's status record. */
export interface EdgeStatus {
  readonly edgeId: string;
  /** The route-map version in force, decimal. */
  readonly version: string;
  /** When that version was applied (for the embedded default: when the edge started), ISO. */
  readonly appliedAt: string;
  /** Where the map in force came from: the embedded default, the last known good (state), admin or fleet. */
  readonly source: RouteMapOrigin;
  /** The last refused map, if any since the edge started. */
  readonly refused?: EdgeRefusal;
  /** The canary running beside the stable map, if any. */
  readonly canary?: EdgeCanary;
  /** Per-version counts of events routed, rejected and dead-lettered: the stable map's, then the canary's. */
  readonly counts?: readonly EdgeVersionCount[];
  readonly startedAt: string;
  /** When this record was written, ISO; an edge writes one at least every heartbeat interval. */
  readonly heartbeatAt: string;
}

/** The fleet port: where an edge writes its status (implemented on Kafka in `src/kafka/`). */
export interface EdgeStatusFeed {
  /** Writes `status` keyed by its edge id; resolves once the feed has it. */
  publish(status: EdgeStatus): Promise<void>;
}

/** Told every status record read from the feed, oldest first. */
export type EdgeStatusListener = (status: EdgeStatus) => void;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SOURCES: readonly string[] = ["embedded", "state", "admin", "topic"];
/** What edges of an earlier release called the route map topic as a source. */
const LEGACY_SOURCES: Readonly<Record<string, RouteMapOrigin>> = { fleet: "topic" };

/** The record value of `status`: its JSON, UTF-8. */
export function encodeEdgeStatus(status: EdgeStatus): Uint8Array {
  return encoder.encode(JSON.stringify(status));
}

/** Reads a status record value; undefined when it is not one (a foreign or damaged record). */
export function decodeEdgeStatus(value: Uint8Array): EdgeStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(value));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const s = parsed as Record<string, unknown>;
  const strings = ["edgeId", "version", "appliedAt", "startedAt", "heartbeatAt"] as const;
  if (
    strings.some((k) => typeof s[k] !== "string") ||
    !(SOURCES.includes(s.source as string) || (s.source as string) in LEGACY_SOURCES)
  ) {
    return undefined;
  }
  if (!/^\d+$/.test(s.version as string) || Number.isNaN(Date.parse(s.heartbeatAt as string))) return undefined;
  const refused = s.refused as Record<string, unknown> | undefined;
  const refusalOk = refused === undefined ||
    (typeof refused === "object" && refused !== null &&
      ["version", "code", "reason", "at"].every((k) => typeof refused[k] === "string"));
  if (!refusalOk) return undefined;
  const canary = s.canary as Record<string, unknown> | undefined;
  const canaryOk = canary === undefined ||
    (typeof canary === "object" && canary !== null &&
      ["version", "cohort", "appliedAt"].every((k) => typeof canary[k] === "string"));
  const counts = Array.isArray(s.counts) ? s.counts.filter(isVersionCount) : undefined;
  const status: EdgeStatus = {
    edgeId: s.edgeId as string,
    version: s.version as string,
    appliedAt: s.appliedAt as string,
    source: LEGACY_SOURCES[s.source as string] ?? s.source as RouteMapOrigin,
    startedAt: s.startedAt as string,
    heartbeatAt: s.heartbeatAt as string,
  };
  return {
    ...status,
    ...(refused === undefined ? {} : { refused: refused as unknown as EdgeRefusal }),
    ...(canary === undefined || !canaryOk ? {} : { canary: canary as unknown as EdgeCanary }),
    ...(counts === undefined ? {} : { counts }),
  };
}

function isVersionCount(value: unknown): value is EdgeVersionCount {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.version === "string" && (c.role === "stable" || c.role === "canary") &&
    ["routed", "rejected", "deadLettered"].every((k) => typeof c[k] === "number");
}
