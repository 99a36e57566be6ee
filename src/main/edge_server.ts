import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { Readiness } from "../core/ops/readiness.ts";
import type { EdgeStatus } from "../core/fleet/edge_status.ts";
import { type ControlPlane, startControl } from "../control/start_control.ts";
import { FleetStatus } from "../control/fleet_status.ts";
import { DryRunLog } from "../control/dry_run_routes.ts";
import { TrafficSketch } from "../core/fleet/traffic_sketch.ts";
import { EdgeMetrics } from "../edge/edge_metrics.ts";
import { ACCEPTING, startIngest } from "../edge/start_ingest.ts";
import { startTracing } from "../edge/tracing/start_tracing.ts";
import { kafkaAdapters, startKafka } from "../kafka/mod.ts";
import type { EdgeConfig } from "./config.ts";
import { type Logger, startRateLimitedLog } from "./log.ts";
import { connectionCapFor } from "./open_file_limit.ts";
import { startAdmin } from "./start_admin.ts";
import { loadTrustedKeys, startPlayerTokens } from "./trusted_keys_source.ts";
import { resolveKafkaConnection } from "./kafka_security_source.ts";

/** A running edge. */
export interface EdgeServer {
  /** The client port actually bound (useful with port 0). */
  readonly port: number;
  /** The admin port actually bound. */
  readonly adminPort: number;
  /** The plain-gRPC control port, when it is on. */
  readonly grpcPort: number | undefined;
  readonly readiness: Readiness;
  /** The route map in force. */
  readonly routes: LiveRouteTable;
  readonly control: ControlPlane["control"];
  /**
   * Resolves true once the edge is ready for events the first time, or false when it stopped, or
   * Kafka refused it, first.
   */
  readonly ready: Promise<boolean>;
  /**
   * Aborted, with the error as its reason, when a listener fails for good, or with a VeltrixError
   * when Kafka can never serve this edge (REPLICATION_FACTOR_UNMET, KAFKA_AUTH_FAILED,
   * KAFKA_TLS_FAILED at start); the edge should then be stopped.
   */
  readonly failure: AbortSignal;
  /**
   * Stops the edge: `/readyz` turns 503 for the drain delay while every socket is still served, then
   * ingest drains and closes, then control, then Kafka; what was accepted is acked or rejected.
   */
  stop(): Promise<void>;
}

/**
 * Starts an edge from its parts: the Kafka side (connecting in the background), the control
 * plane (last known good map or the embedded default), the client listener and the admin
 * listener. Each part starts itself and returns its `stop`; they stop in reverse order.
 */
export async function startEdgeServer(config: EdgeConfig, logger: Logger): Promise<EdgeServer> {
  const readiness = new Readiness();
  const logging = startRateLimitedLog(logger, config.logRateLimit);
  const log = logging.log;
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const connection = await resolveKafkaConnection(config, {
    onTokenRefresh: (expiresAtMs) =>
      logger.info("kafka oauth token fetched", {
        expiresAt: expiresAtMs === undefined ? "unknown" : new Date(expiresAtMs).toISOString(),
      }),
  });
  const metrics = new EdgeMetrics();
  const adapters = await kafkaAdapters(config.kafkaClient, connection, logger, {
    onDuplicatesRisked: (records) => metrics.duplicatesRisked(records),
  });
  const kafka = startKafka(config, { adapters, routes, readiness, logger, log, connection });
  const keys = await loadTrustedKeys(config.trustedKeys);
  const shared = { routes, readiness, logger, log };
  const control = await startControl(config, { ...shared, keys, topics: kafka.topics, feed: kafka.routeMaps });
  const { edgeId, edgeHeartbeatMs: heartbeatMs, edgeStaleMs: staleMs } = config;
  const fleet = new FleetStatus({ edgeId, control: control.control, feed: kafka.edges, logger, heartbeatMs, staleMs });
  fleet.start();
  const traffic = new TrafficSketch({ samplesPerType: config.dryRunSamples }, Date.now());
  const { tokens, stop: stopTokens } = await startPlayerTokens(config, {
    readiness,
    logger,
    registry: metrics.registry,
  });
  const maxConnections = connectionCapFor(config.maxConnections, logger);
  metrics.connectionLimit(maxConnections);
  const tracing = startTracing(config, logger);
  const ingest = startIngest({ ...config, maxConnections }, {
    ...shared,
    sink: kafka.sink,
    openLaneSink: (lane) => kafka.openLane(lane),
    tokens,
    metrics,
    traffic,
    ...(tracing.spans ? { spans: tracing.spans } : {}),
  });
  // Fleet-scoped tenant quotas are divided by the live edges this edge sees.
  ingest.connections.shareAmong(fleet.liveEdges);
  fleet.onLiveEdges((liveEdges) => ingest.connections.shareAmong(liveEdges));
  const dryRun = { traffic, log: new DryRunLog() };
  const adminDeps = { routes, control: control.control, ingest, readiness, metrics, logger, fleet, dryRun };
  const admin = startAdmin(config, adminDeps);
  const edgeStatus = { onStatus: (s: EdgeStatus) => fleet.observe(s), onStarted: () => void fleet.publish() };
  const refused = new AbortController();
  const ready = kafka.connect((signed) => control.control.applyTopicRecord(signed), edgeStatus).then((connected) => {
    if (connected) logger.info("edge ready", { routeVersion: routes.table.versionText, brokers: config.kafkaBrokers });
    return connected;
  }, (error: Error) => {
    refused.abort(error);
    return false;
  });

  let stopped: Promise<void> | undefined;
  return {
    port: ingest.port,
    adminPort: admin.port,
    grpcPort: control.grpcPort,
    readiness,
    routes,
    control: control.control,
    ready,
    failure: AbortSignal.any([ingest.failure, admin.failure, refused.signal]),
    stop() {
      stopped ??= (async () => {
        await leaveRotation(readiness, config.drainDelayMs, logger);
        await ingest.stop();
        await tracing.stop();
        await admin.stop();
        await fleet.stop();
        await control.stop();
        await kafka.stop();
        stopTokens();
        logging.stop();
      })();
      return stopped;
    },
  };
}

/**
 * Reports not ready, so that a load balancer's health check takes the edge out of rotation, and
 * waits `delayMs` while the edge keeps serving the sockets it has; a new upgrade is refused with
 * NOT_READY meanwhile (the client reconnects, and the balancer sends it elsewhere).
 */
async function leaveRotation(readiness: Readiness, delayMs: number, logger: Logger): Promise<void> {
  readiness.set(ACCEPTING, false);
  if (delayMs <= 0) return;
  logger.info("draining: out of rotation before closing sockets", { drainDelayMs: delayMs });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
}
