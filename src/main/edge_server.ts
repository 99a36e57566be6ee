import { type Kafka, Partitioners, type Producer } from "kafkajs";
import { compileRouteMapOrThrow } from "../core/compile_route_map.ts";
import { defaultRouteMap } from "../core/default_route_map.ts";
import { errorCodes } from "../core/error_code.ts";
import { RateLimitedLog } from "../core/rate_limited_log.ts";
import { RecentEventIds } from "../core/recent_event_ids.ts";
import { parseTrustedKeys } from "../core/trusted_keys.ts";
import { ActiveRouteTable } from "../core/live_route_table.ts";
import { type GrpcServer, startGrpcServer } from "../control/grpc_server.ts";
import { RouteControl } from "../control/route_control.ts";
import { RouteFleet } from "../control/route_fleet.ts";
import { RouteMapStore } from "../control/route_map_store.ts";
import { createAdminApp } from "./admin_app.ts";
import type { EdgeConfig } from "./config.ts";
import { createEdgeApp } from "../edge/http/edge_app.ts";
import { EdgeMetrics } from "../edge/edge_metrics.ts";
import type { IngestConnection, IngestCounters } from "../edge/ingest/ingest_connection.ts";
import { PlayerConnections } from "../edge/ingest/player_connections.ts";
import { PlayerTokenVerifier } from "../edge/http/player_token.ts";
import { createKafkaClient } from "../kafka/kafka_client.ts";
import { KafkaRecordSink } from "../kafka/kafka_record_sink.ts";
import { ensureTopics, type TopicLayout } from "../kafka/topic_admin.ts";
import type { Logger } from "./log.ts";
import { ProduceBatcher } from "../edge/ingest/produce_batcher.ts";
import { Readiness } from "../edge/readiness.ts";
import { fitConnectionsToFileLimit, readOpenFileLimit } from "./open_file_limit.ts";
import { loadTrustedKeys, readKeyText } from "./trusted_keys_source.ts";

/** A running edge. */
export interface EdgeServer {
  /** The client port actually bound (useful with port 0). */
  readonly port: number;
  /** The admin port actually bound. */
  readonly adminPort: number;
  /** The plain-gRPC control port, when it is on. */
  readonly grpcPort: number | undefined;
  readonly readiness: Readiness;
  readonly routes: ActiveRouteTable;
  readonly control: RouteControl;
  /** Resolves once the edge is ready for events the first time. */
  readonly ready: Promise<void>;
  /**
   * Resolves with the error if a listener fails for good while the edge runs (Deno's server stops
   * accepting when, say, `accept` runs out of file descriptors). The edge should then be stopped,
   * which still writes and acks what it accepted, and restarted. Never resolves otherwise.
   */
  readonly failed: Promise<Error>;
  /**
   * Stops the edge: stop accepting, flush what is batched, wait (up to the shutdown timeout) for
   * Kafka to acknowledge it so its acks can go out, then close sockets with 1001.
   */
  stop(): Promise<void>;
}

const PRODUCER = "kafka producer connected";
const TABLE = "route table loaded";
const TOPICS = "route table topics exist";

/**
 * Starts an edge: loads the last known good route map (or the embedded default), starts the
 * client, admin and gRPC listeners, and connects to Kafka in the background.
 */
export async function startEdgeServer(config: EdgeConfig, logger: Logger): Promise<EdgeServer> {
  const readiness = new Readiness([PRODUCER, TABLE, TOPICS]);
  // Lines that can come in floods (connections, rejects, faults) go through this; it writes the
  // counts of suppressed lines every window, and once more at stop.
  const log = new RateLimitedLog(logger, { limit: config.logRateLimit });
  const logFlush = setInterval(() => log.flush(), log.windowMs);
  Deno.unrefTimer(logFlush);
  const routes = new ActiveRouteTable(compileRouteMapOrThrow(defaultRouteMap()));
  const kafka = createKafkaClient(`veltrix-edge-${config.edgeId}`, config.kafkaBrokers, logger);
  const layout: TopicLayout = { partitions: config.topicPartitions, replicationFactor: config.topicReplicationFactor };
  const topicGate = new TopicGate(kafka, layout, logger);

  const keys = await loadTrustedKeys(config.trustedKeys);
  if (keys.ids.length === 0) logger.warn("no trusted route-map keys (VELTRIX_TRUSTED_KEYS): route updates are refused");
  let fleet: RouteFleet | undefined;
  const control = new RouteControl({
    active: routes,
    keys,
    maxBytes: config.routeUpdateMaxBytes,
    logger,
    rateLimitedLog: log,
    store: new RouteMapStore(config.stateDir),
    ensureTopics: (topics) => topicGate.ensure(topics),
    publish: (signed, version) => {
      if (fleet === undefined) return Promise.reject(new Error("not connected to the fleet topic yet"));
      return fleet.publish(signed, version);
    },
  });
  const notRestored = await control.restore();
  if (notRestored !== undefined) {
    logger.warn("last known good route map not used; routing by the embedded default", { reason: notRestored });
  } else if (control.current.source === "state") {
    logger.info("restored the last known good route map", {
      version: control.current.version,
      keyId: control.current.keyId,
    });
  }
  readiness.set(TABLE, true);

  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  producer.on(producer.events.CONNECT, () => readiness.set(PRODUCER, true));
  producer.on(producer.events.DISCONNECT, () => readiness.set(PRODUCER, false));
  const writes = new AbortController();
  const sink = new KafkaRecordSink(producer, { timeoutMs: config.produceTimeoutMs, signal: writes.signal, log });
  const connections = new Map<WebSocket, IngestConnection>();
  // The gauges read the batcher only when Prometheus scrapes, long after it is built below.
  const metrics: EdgeMetrics = new EdgeMetrics({
    connections: () => connections.size,
    inFlightEvents: (): number => batcher.pendingEvents,
    routeMapVersion: () => Number(routes.current.version),
  });
  control.onApplied((applied) => metrics.applied(applied.applyMs));
  const batcher = new ProduceBatcher(sink, {
    metrics,
    lingerMs: config.lingerMs,
    maxBatchEvents: config.batchMaxEvents,
    maxBatchBytes: config.batchMaxBytes,
    maxInFlightBatches: config.maxInFlightBatches,
    maxPendingEvents: config.maxPendingEvents,
  });

  const openFileLimit = readOpenFileLimit();
  const capacity = fitConnectionsToFileLimit(config.maxConnections, openFileLimit);
  if (capacity.lowered) {
    logger.warn(
      "VELTRIX_MAX_CONNECTIONS lowered to fit the open-file limit; raise the limit (ulimit -n, LimitNOFILE)",
      {
        configured: config.maxConnections,
        maxConnections: capacity.maxConnections,
        openFileLimit,
        reserved: capacity.reserve,
      },
    );
  }
  const players = new PlayerConnections(config.ratePerPlayer);
  const tokens = await PlayerTokenVerifier.create({
    hs256Secret: config.jwtSecret === "" ? undefined : config.jwtSecret,
    ed25519Keys: config.jwtPublicKeys.trim() === "" ? [] : parseTrustedKeys(await readKeyText(config.jwtPublicKeys)),
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockSkewS: config.jwtClockSkewS,
  });
  const draining = { value: false };
  const counters: IngestCounters = { duplicates: 0 };
  const edgeApp = createEdgeApp({
    tokens,
    readiness,
    connections,
    players,
    limits: {
      maxConnections: capacity.maxConnections,
      maxConnectionsPerPlayer: config.maxConnectionsPerPlayer,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      allowedOrigins: config.allowedOrigins,
    },
    log,
    ingest: {
      routes,
      batcher,
      edgeId: config.edgeId,
      draining,
      recent: config.dedupPerPlayer > 0
        ? new RecentEventIds({ perPlayer: config.dedupPerPlayer, maxIds: config.dedupMaxIds })
        : undefined,
      maxInFlightPerConnection: config.maxInFlightPerConnection,
      counters,
      metrics,
      log,
      limits: {
        maxFrameBytes: config.maxFrameBytes,
        frame: { maxEvents: config.maxEventsPerFrame, maxDataDepth: config.maxDataDepth },
        maxEventBytes: config.maxEventBytes,
        ratePerConnection: config.ratePerConnection,
        abuseLimit: config.rateAbuseLimit,
      },
    },
    logger,
  });
  // Silent sockets are closed: a connection that sent nothing for the idle timeout frees its slot.
  const idleSweep = setInterval(() => {
    const cutoff = Date.now() - config.idleTimeoutMs;
    for (const [socket, connection] of connections) {
      if (connection.lastActivityMs < cutoff && connection.inFlight === 0) socket.close(1000, "IDLE_TIMEOUT");
    }
  }, Math.min(5_000, config.idleTimeoutMs));
  Deno.unrefTimer(idleSweep);
  const adminApp = createAdminApp({
    readiness,
    routes,
    control,
    edgeId: config.edgeId,
    routeUpdateMaxBytes: config.routeUpdateMaxBytes,
    opsToken: config.opsToken,
    connections: () => connections.size,
    metrics,
    inFlight: () => ({ events: batcher.pendingEvents, batches: batcher.inFlightBatches }),
    counters,
    logger,
  });

  const abort = new AbortController();
  const edgeHttp = Deno.serve(
    { hostname: config.host, port: config.port, reusePort: config.reusePort, signal: abort.signal, onListen: () => {} },
    edgeApp.fetch,
  );
  const adminHttp = Deno.serve(
    { hostname: config.adminHost, port: config.adminPort, signal: abort.signal, onListen: () => {} },
    adminApp.fetch,
  );
  let grpc: GrpcServer | undefined;
  if (config.grpcPort >= 0) grpc = await startGrpcServer(control, config.adminHost, config.grpcPort, config.opsToken);

  let stopping = false;
  const failed = Promise.withResolvers<Error>();
  for (const [name, server] of [["client", edgeHttp], ["admin", adminHttp]] as const) {
    server.finished.catch((error: unknown) => {
      if (stopping) return;
      logger.error(`the ${name} listener failed and accepts no more connections`, { error });
      failed.resolve(error instanceof Error ? error : new Error(String(error)));
    });
  }
  const ready = (async () => {
    await connectKafka(producer, routes, topicGate, readiness, logger, () => stopping);
    logger.info("edge ready", { routeVersion: routes.current.versionText, brokers: config.kafkaBrokers });
    const candidate = new RouteFleet(kafka, control, { topic: config.routesTopic, edgeId: config.edgeId, logger });
    await retryUntil(() => candidate.start(), "route fleet topic", logger, () => stopping);
    if (stopping) await candidate.stop();
    else fleet = candidate;
  })();

  return {
    port: edgeHttp.addr.port,
    adminPort: adminHttp.addr.port,
    grpcPort: grpc?.port,
    readiness,
    routes,
    control,
    ready,
    failed: failed.promise,
    async stop() {
      if (stopping) return;
      stopping = true;
      // New upgrades get 503 and new events SHUTTING_DOWN; what was accepted is still written and acked.
      draining.value = true;
      readiness.set(PRODUCER, false);
      const drained = batcher.drain();
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), config.shutdownTimeoutMs)),
      ]);
      if (timedOut) {
        logger.warn("shutdown timeout: events still unacknowledged by Kafka", { pending: batcher.pendingEvents });
      }
      // Writes still retrying now fail, and their events are rejected rather than acked.
      writes.abort();
      // Let the acks of the drained batches reach their sockets before closing them.
      await new Promise((resolve) => setTimeout(resolve, 0));
      clearInterval(idleSweep);
      for (const socket of connections.keys()) {
        try {
          socket.close(errorCodes.SHUTTING_DOWN.close, "edge shutting down");
        } catch {
          // Already closed.
        }
      }
      abort.abort();
      await Promise.allSettled([edgeHttp.finished, adminHttp.finished, grpc?.close(), fleet?.stop()]);
      await producer.disconnect().catch(() => {});
      clearInterval(logFlush);
      log.flush();
    },
  };
}

/**
 * Makes sure topics exist before a table that writes to them is used. Topics it has seen exist
 * are remembered, so an update whose topics are all known costs no Kafka round trip.
 */
class TopicGate {
  readonly #known = new Set<string>();
  readonly #kafka: Kafka;
  readonly #layout: TopicLayout;
  readonly #logger: Logger;

  constructor(kafka: Kafka, layout: TopicLayout, logger: Logger) {
    this.#kafka = kafka;
    this.#layout = layout;
    this.#logger = logger;
  }

  async ensure(topics: readonly string[]): Promise<void> {
    const unknown = topics.filter((topic) => !this.#known.has(topic));
    if (unknown.length === 0) return;
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const created = await ensureTopics(admin, unknown, this.#layout);
      if (created.length > 0) this.#logger.info("created topics", { topics: created });
    } finally {
      await admin.disconnect().catch(() => {});
    }
    for (const topic of unknown) this.#known.add(topic);
  }
}

async function connectKafka(
  producer: Producer,
  routes: ActiveRouteTable,
  topics: TopicGate,
  readiness: Readiness,
  logger: Logger,
  stopping: () => boolean,
): Promise<void> {
  await retryUntil(
    async () => {
      await topics.ensure(routes.current.topics);
      readiness.set(TOPICS, true);
      await producer.connect();
    },
    "kafka",
    logger,
    stopping,
  );
}

async function retryUntil(
  step: () => Promise<void>,
  what: string,
  logger: Logger,
  stopping: () => boolean,
): Promise<void> {
  for (let attempt = 1; !stopping(); attempt++) {
    try {
      await step();
      return;
    } catch (error) {
      const delay = Math.min(5_000, 250 * 2 ** Math.min(attempt, 5));
      logger.warn(`${what} not reachable yet; retrying`, { attempt, delayMs: delay, error });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
