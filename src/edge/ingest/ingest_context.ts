import type { AdmissionLimits } from "../../core/admission/admission.ts";
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from "../../core/frames/client_frame_codec.ts";
import type { LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import { RateLimitedLog } from "../../core/ops/rate_limited_log.ts";
import type { RecentEventIds } from "../../core/admission/recent_event_ids.ts";
import type { TrafficSketch } from "../../core/fleet/traffic_sketch.ts";
import type { IngestMetrics } from "../edge_metrics.ts";
import type { ProduceBatcher } from "./produce_batcher.ts";
import type { ProduceLanes } from "./produce_lanes.ts";
import type { EdgeSpans } from "../tracing/edge_spans.ts";

/** What one connection may send. */
export interface IngestLimits extends AdmissionLimits {
  /** Largest frame, in bytes (characters for text frames); larger closes the connection with 1009. */
  readonly maxFrameBytes: number;
  readonly frame: FrameLimits;
  /** Largest routed event (its record value), in bytes; larger gets EVENT_TOO_LARGE. */
  readonly maxEventBytes: number;
}

/** Limits that let everything through: for tests and tools that set only what they exercise. */
const NO_INGEST_LIMITS: IngestLimits = Object.freeze({
  maxFrameBytes: Infinity,
  frame: DEFAULT_FRAME_LIMITS,
  maxEventBytes: Infinity,
  ratePerConnection: Infinity,
  rateAbuseLimit: Infinity,
  maxInFlightPerConnection: Infinity,
});

/** Metrics that count nothing. */
export const NO_INGEST_METRICS: IngestMetrics = Object.freeze({
  received() {},
  rejected() {},
  routed() {},
  unrouted() {},
  deadLettered() {},
  duplicate() {},
});

/** Whether the edge is shutting down; set once by the ingest assembly's stop. */
export interface DrainFlag {
  readonly value: boolean;
}

/** What an in-band refresh is checked with: the edge's player-token verifier. */
export interface SessionTokens {
  /**
   * The player (`sub`), their identity (`sub` qualified by a trusted issuer, or bare for the static
   * keys: see `player_identity.ts`) and `exp` (unix seconds) of a valid token; throws UNAUTHORIZED otherwise.
   */
  verifySession(
    token: string,
  ): Promise<{ readonly player: string; readonly identity: string; readonly expiresAt: number }>;
  /** Leeway past `exp`, in seconds: a connection is closed at its token's `exp` plus this. */
  readonly clockSkewS: number;
}

/** What every connection of an edge shares. Every field is set: defaults are resolved once, here. */
export interface IngestContext {
  readonly routes: LiveRouteTable;
  /** The batcher of connections that join no lane (every connection when `lanes` is undefined). */
  readonly batcher: ProduceBatcher;
  /** The edge's produce lanes: each connection joins one when it opens; undefined, all use `batcher`. */
  readonly lanes: ProduceLanes | undefined;
  readonly edgeId: string;
  /** Once set, new events are refused with SHUTTING_DOWN. */
  readonly draining: DrainFlag;
  /**
   * Recent ids per player identity (`sub` qualified by its issuer), shared by all connections (resent
   * duplicates are acked, not rewritten); undefined turns dedupe off.
   */
  readonly recent: RecentEventIds | undefined;
  readonly limits: IngestLimits;
  readonly metrics: IngestMetrics;
  /** Where rejects are logged (`event rejected`, `frame rejected`), rate-limited per code. */
  readonly log: RateLimitedLog;
  /** Counts every admitted event by type, for dry runs; undefined counts nothing. */
  readonly traffic: TrafficSketch | undefined;
  /** Records a span per sampled traced event (OTLP); undefined when tracing is off. */
  readonly spans: EdgeSpans | undefined;
  /** Checks in-band refresh tokens; undefined refuses every refresh (UNAUTHORIZED, close 4003). */
  readonly sessions: SessionTokens | undefined;
}

/** The parts of an {@link IngestContext} a caller must give; the rest default to off, silent and unlimited. */
export type IngestContextInit =
  & Pick<IngestContext, "routes" | "batcher" | "edgeId">
  & Partial<Omit<IngestContext, "routes" | "batcher" | "edgeId" | "limits">>
  & { readonly limits?: Partial<IngestLimits> };

/** An ingest context from `init`, with what it leaves out turned off. */
export function createIngestContext(init: IngestContextInit): IngestContext {
  return {
    routes: init.routes,
    batcher: init.batcher,
    lanes: init.lanes,
    edgeId: init.edgeId,
    draining: init.draining ?? { value: false },
    recent: init.recent,
    limits: { ...NO_INGEST_LIMITS, ...init.limits },
    metrics: init.metrics ?? NO_INGEST_METRICS,
    log: init.log ?? new RateLimitedLog(SILENT_LOGGER),
    traffic: init.traffic,
    spans: init.spans,
    sessions: init.sessions,
  };
}

const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };
