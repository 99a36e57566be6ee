import { closeFrameOf } from "../core/errors/error_code.ts";
import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import { RecentEventIds } from "../core/admission/recent_event_ids.ts";
import type { LaneSinkFactory, RecordSink } from "../core/routing/record_sink.ts";
import type { TrafficSketch } from "../core/fleet/traffic_sketch.ts";
import type { EdgeMetrics } from "./edge_metrics.ts";
import { createEdgeApp } from "./http/edge_app.ts";
import type { PlayerTokenVerifier } from "./http/player_token.ts";
import { ConnectionRegistry } from "./ingest/connection_registry.ts";
import { createIngestContext, type DrainFlag } from "./ingest/ingest_context.ts";
import { type ProduceLaneMode, ProduceLanes } from "./ingest/produce_lanes.ts";
import type { EdgeSpans } from "./tracing/edge_spans.ts";

/** Readiness condition the ingest side owns: it takes new connections (false once it drains). */
export const ACCEPTING = "accepting connections";

/** What the ingest side is configured with (field names as in the edge config). */
export interface IngestSettings {
  readonly edgeId: string;
  readonly host: string;
  readonly port: number;
  readonly reusePort: boolean;
  readonly lingerMs: number;
  readonly batchMaxEvents: number;
  readonly batchTargetEvents: number;
  readonly maxLingerMs: number;
  /** An event that finds its lane idle is sent at the end of its turn instead of lingering. */
  readonly idleSend: boolean;
  readonly batchMaxBytes: number;
  readonly maxInFlightBatches: number;
  /** Per produce lane. */
  readonly maxPendingEvents: number;
  /** `tenant`: a batcher and producer per listed tenant (with `openLaneSink` and a tenant claim); `shared`: one. */
  readonly produceLanes: ProduceLaneMode;
  /** The token claim naming a player's tenant; undefined: every player is "other" (one lane). */
  readonly tenantClaim?: string | undefined;
  readonly dedupPerPlayer: number;
  readonly dedupMaxIds: number;
  readonly maxInFlightPerConnection: number;
  readonly maxFrameBytes: number;
  readonly maxEventsPerFrame: number;
  readonly maxDataDepth: number;
  readonly maxEventBytes: number;
  readonly ratePerConnection: number;
  readonly ratePerPlayer: number;
  readonly rateAbuseLimit: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerPlayer: number;
  readonly handshakeTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly allowedOrigins: readonly string[];
  readonly shutdownTimeoutMs: number;
}

/** What the ingest side works with. */
export interface IngestDependencies {
  readonly routes: LiveRouteTable;
  /** The main producer's sink: the `other` lane's (every player's with one lane). */
  readonly sink: RecordSink;
  /** Opens a producer of its own for a tenant's lane; absent, one lane. */
  readonly openLaneSink?: LaneSinkFactory;
  readonly tokens: PlayerTokenVerifier;
  readonly readiness: Readiness;
  readonly metrics: EdgeMetrics;
  readonly logger: Logger;
  readonly log: RateLimitedLog;
  /** Counts admitted events by type, for dry runs. */
  readonly traffic?: TrafficSketch;
  /** Records a span per sampled traced event; absent, tracing is off. */
  readonly spans?: EdgeSpans;
}

/** The running client-facing side of an edge. */
export interface IngestSide {
  /** The client port actually bound (useful with port 0). */
  readonly port: number;
  readonly connections: ConnectionRegistry;
  /** The produce lanes (one batcher each). */
  readonly lanes: ProduceLanes;
  /** Aborted, with the error as its reason, if the client listener fails for good. */
  readonly failure: AbortSignal;
  /**
   * Stops taking events (new upgrades get 503, new events SHUTTING_DOWN), sends what is batched,
   * waits up to the shutdown timeout for Kafka to acknowledge it so its acks go out, fails what
   * is left, then closes every socket with 1001 and the listener.
   */
  stop(): Promise<void>;
}

/** Starts the client listener: `GET /v1/ingest` upgrades to the per-connection receive loop. */
export function startIngest(settings: IngestSettings, deps: IngestDependencies): IngestSide {
  const { readiness, metrics, log } = deps;
  readiness.add(ACCEPTING);
  const tenantClaim = settings.tenantClaim !== undefined && settings.tenantClaim !== "";
  const lanes = new ProduceLanes({
    sink: deps.sink,
    ...(settings.produceLanes === "tenant" && deps.openLaneSink ? { openSink: deps.openLaneSink } : {}),
    tenantClaim,
    // Without a tenant claim every player is "other": no tenant histogram, the batcher's work as before lanes.
    ...(tenantClaim ? { tenantAcks: (label: string) => metrics.tenantAcks(label) } : {}),
    onLane: (tenant, open) => deps.logger.info(open ? "produce lane opened" : "produce lane closed", { tenant }),
    batcher: {
      metrics,
      lingerMs: settings.lingerMs,
      batchMaxEvents: settings.batchMaxEvents,
      batchMaxBytes: settings.batchMaxBytes,
      batchTargetEvents: settings.batchTargetEvents,
      maxLingerMs: settings.maxLingerMs,
      idleSend: settings.idleSend,
      maxInFlightBatches: settings.maxInFlightBatches,
      maxPendingEvents: settings.maxPendingEvents,
    },
  });
  // Lanes follow the tenants of the stable map in force (the map that sets quotas), opened before their first event.
  // Watched before the connection registry is made: a connection a new map moves to a tenant finds its lane open.
  deps.routes.watch((snapshot) => lanes.follow(snapshot.table.tenancy.listed.map((quota) => quota.name)));
  const draining: DrainFlag & { value: boolean } = { value: false };
  const context = createIngestContext({
    routes: deps.routes,
    batcher: lanes.shared,
    lanes,
    edgeId: settings.edgeId,
    draining,
    recent: settings.dedupPerPlayer > 0
      ? new RecentEventIds({ dedupPerPlayer: settings.dedupPerPlayer, dedupMaxIds: settings.dedupMaxIds })
      : undefined,
    metrics,
    log,
    traffic: deps.traffic,
    spans: deps.spans,
    sessions: {
      verifySession: (token) => deps.tokens.verifySession(token),
      clockSkewS: deps.tokens.clockSkewS,
    },
    limits: {
      maxFrameBytes: settings.maxFrameBytes,
      frame: { maxEventsPerFrame: settings.maxEventsPerFrame, maxDataDepth: settings.maxDataDepth },
      maxEventBytes: settings.maxEventBytes,
      ratePerConnection: settings.ratePerConnection,
      rateAbuseLimit: settings.rateAbuseLimit,
      maxInFlightPerConnection: settings.maxInFlightPerConnection,
    },
  });
  const connections = new ConnectionRegistry(context, settings);
  const app = createEdgeApp({
    tokens: deps.tokens,
    readiness,
    connections,
    limits: { handshakeTimeoutMs: settings.handshakeTimeoutMs, allowedOrigins: settings.allowedOrigins },
    logger: deps.logger,
    log,
  });
  // Silent sockets are closed: a connection that sent nothing for the idle timeout frees its slot.
  const idleSweep = setInterval(
    () => connections.closeIdle(Date.now() - settings.idleTimeoutMs),
    Math.min(5_000, settings.idleTimeoutMs),
  );
  Deno.unrefTimer(idleSweep);
  // Connections whose token ran out are closed (TOKEN_EXPIRED): one sweep a second touches only those due.
  const expirySweep = setInterval(() => {
    const closed = connections.closeExpired(Date.now());
    if (closed > 0) log.info("session.expired", "sessions closed at token expiry", { closed, code: "TOKEN_EXPIRED" });
  }, 1_000);
  Deno.unrefTimer(expirySweep);
  const abort = new AbortController();
  const server = Deno.serve({
    hostname: settings.host,
    port: settings.port,
    reusePort: settings.reusePort,
    signal: abort.signal,
    onListen: () => {},
  }, app.fetch);
  readiness.set(ACCEPTING, true);
  const failure = new AbortController();
  server.finished.catch((error: unknown) => {
    if (abort.signal.aborted) return;
    deps.logger.error("the client listener failed and accepts no more connections", { error });
    failure.abort(error instanceof Error ? error : new Error(String(error)));
  });

  return {
    port: server.addr.port,
    connections,
    lanes,
    failure: failure.signal,
    async stop() {
      if (draining.value) return;
      draining.value = true;
      readiness.set(ACCEPTING, false);
      const left = await lanes.drain(settings.shutdownTimeoutMs);
      if (left > 0) deps.logger.warn("shutdown timeout: events still unacknowledged by Kafka", { pending: left });
      // Let the acks and rejects of the settled batches reach their sockets before closing them.
      await new Promise((resolve) => setTimeout(resolve, 0));
      clearInterval(idleSweep);
      clearInterval(expirySweep);
      const { code, reason } = closeFrameOf("SHUTTING_DOWN");
      connections.closeAll(code, reason);
      abort.abort();
      await server.finished.catch(() => {});
    },
  };
}
