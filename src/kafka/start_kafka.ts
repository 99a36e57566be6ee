import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import type { LaneSink, RecordSink } from "../core/routing/record_sink.ts";
import type { RouteMapFeedListener } from "../core/updates/route_map_feed.ts";
import type { TopicLayout } from "../core/routing/topic_provisioner.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import type { KafkaAdapter, KafkaAdapterFactory } from "./kafka_adapter.ts";
import { ProducerHealth } from "./producer_health.ts";
import { KafkaRecordSink } from "./kafka_record_sink.ts";
import { type RouteMapTopic, routeMapTopic } from "./route_map_topic.ts";
import { type EdgeStatusTopic, edgeStatusTopic } from "./edge_status_topic.ts";
import type { EdgeStatus } from "../core/fleet/edge_status.ts";
import { retryWithBackoff } from "./retry.ts";
import { TopicGate } from "./topic_gate.ts";
import type { KafkaConnection } from "./kafka_security.ts";
import { securityRefusal } from "./security_failure/security_refusal.ts";
import { brokerTlsAlert } from "./security_failure/broker_tls_alert.ts";

/** Readiness conditions the Kafka side owns. */
export const PRODUCER_CONNECTED = "kafka producer connected";
export const TABLE_TOPICS_EXIST = "route table topics exist";
/**
 * False while a write to Kafka fails and is retried (for instance fewer in-sync replicas than
 * `min.insync.replicas`): the edge holds what it took and acks nothing, so a balancer should send
 * new players elsewhere. True again once a write lands.
 */
export const KAFKA_WRITABLE = "kafka accepting writes";
/**
 * False while Kafka refuses the edge's credentials (a password rotated under a running edge, a
 * token it rejects) or its TLS handshake fails; writes are retried meanwhile, as in any outage.
 * At start the same causes stop the edge instead (KAFKA_AUTH_FAILED, KAFKA_TLS_FAILED).
 */
export const KAFKA_CREDENTIALS_ACCEPTED = "kafka accepting the edge's credentials";
export const KAFKA_TLS_VERIFIED = "kafka TLS handshake verified";

/** What the Kafka side is configured with (field names as in the edge config). */
export interface KafkaSettings {
  readonly edgeId: string;
  readonly produceTimeoutMs: number;
  readonly topicPartitions: number;
  readonly topicReplicationFactor: number;
  readonly routesTopic: string;
  /** The compacted topic of edge statuses. */
  readonly edgesTopic: string;
}

/** Where the statuses read from the edges topic go, and who is told once it can be written. */
export interface EdgeStatusHandlers {
  readonly onStatus: (status: EdgeStatus) => void;
  readonly onStarted: () => void;
}

/** What the Kafka side works with. */
export interface KafkaDependencies {
  /** Makes the client of each role: events, the route map topic, the edge status topic. */
  readonly adapters: KafkaAdapterFactory;
  /** The table in force: its topics are ensured before the producer reports ready. */
  readonly routes: LiveRouteTable;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly log: RateLimitedLog;
  /** Where the adapters connect: when the TLS handshake fails at start, the brokers' certificate dates are read from it. */
  readonly connection?: KafkaConnection;
}

/** The running Kafka side of an edge. */
export interface KafkaSide {
  /** Where routed records go (acks=all, retried until Kafka takes them or the side stops). */
  readonly sink: RecordSink;
  /**
   * Opens a producer of its own (own connections, producer id and sequence numbers) for the produce
   * lane of tenant `lane`, which connects now; its writes are retried like `sink`'s, and its write
   * health counts in readiness until it is closed. `stop` closes the lanes still open.
   */
  openLane(lane: string): LaneSink;
  /** Makes sure a new table's topics exist. */
  readonly topics: TopicGate;
  /** The route map topic, shared by every edge. */
  readonly routeMaps: RouteMapTopic;
  /** The edge status topic, shared by every edge. */
  readonly edges: EdgeStatusTopic;
  /**
   * Connects in the background, retrying until it can: ensures the table's topics, connects the
   * producer, then starts reading the route map topic into `onRouteMap` and the edge status topic
   * into `edgeStatus`. Resolves true once the producer is ready, false when the side stopped first.
   * Rejects with the VeltrixError when the cluster can never serve the edge (REPLICATION_FACTOR_UNMET).
   */
  connect(onRouteMap: RouteMapFeedListener, edgeStatus?: EdgeStatusHandlers): Promise<boolean>;
  /** Stops retrying writes (their events fail), stops reading the shared topics and disconnects. */
  stop(): Promise<void>;
}

/** Builds the Kafka side of an edge; nothing connects until `connect`. */
export function startKafka(settings: KafkaSettings, deps: KafkaDependencies): KafkaSide {
  const { adapters, routes, readiness, logger, log } = deps;
  readiness.add(PRODUCER_CONNECTED);
  readiness.add(TABLE_TOPICS_EXIST);
  readiness.add(KAFKA_WRITABLE);
  readiness.set(KAFKA_WRITABLE, true);
  for (const condition of [KAFKA_CREDENTIALS_ACCEPTED, KAFKA_TLS_VERIFIED]) {
    readiness.add(condition);
    readiness.set(condition, true);
  }
  const stopping = new AbortController();
  const events = adapters(`veltrix-edge-${settings.edgeId}`);
  events.onConnectionChange((connected) => readiness.set(PRODUCER_CONNECTED, connected && !stopping.signal.aborted));
  const layout: TopicLayout = {
    partitions: settings.topicPartitions,
    replicationFactor: settings.topicReplicationFactor,
  };
  const topics = new TopicGate(events, layout, logger);
  const { connection } = deps;
  // Over TLS, a write failure neither client names is asked of the brokers directly (a refused client certificate).
  const probe = connection?.security.tls === undefined ? undefined : () => brokerTlsAlert(connection);
  const health = new ProducerHealth(readiness, log, {
    writable: KAFKA_WRITABLE,
    credentials: KAFKA_CREDENTIALS_ACCEPTED,
    tls: KAFKA_TLS_VERIFIED,
  }, probe);
  const sinkOf = (adapter: KafkaAdapter, name: string, signal: AbortSignal) =>
    new KafkaRecordSink(adapter, { timeoutMs: settings.produceTimeoutMs, signal, log, onWritable: health.add(name) });
  const sink = sinkOf(events, "main", stopping.signal);
  const lanes = new Set<LaneSink>();
  const routeMaps = routeMapTopic(adapters(`veltrix-routes-${settings.edgeId}`), {
    topic: settings.routesTopic,
    edgeId: settings.edgeId,
    logger,
  });
  const edges = edgeStatusTopic(adapters(`veltrix-edges-${settings.edgeId}`), { topic: settings.edgesTopic, logger });
  /** Retries `step` until it works or the side stops; a stop ends it quietly, a start-up refusal throws. */
  const untilStopped = (what: string, step: () => Promise<void>) =>
    retryWithBackoff(step, {
      initialDelayMs: 250,
      maxDelayMs: 5_000,
      signal: stopping.signal,
      isPermanent: isStartupRefusal,
      onRetry: (attempt, delayMs, error) =>
        logger.warn(`${what} not reachable yet; retrying`, { attempt, delayMs, error }),
    }).then(() => true, (error) => {
      if (isStartupRefusal(error) && !stopping.signal.aborted) throw error;
      return false;
    });

  return {
    sink,
    openLane(lane) {
      const name = `lane ${lane}`;
      const adapter = adapters(`veltrix-edge-${settings.edgeId}-lane-${clientIdPart(lane)}`);
      const closing = new AbortController();
      const signal = AbortSignal.any([stopping.signal, closing.signal]);
      const laneSink = sinkOf(adapter, name, signal);
      // Connected before its first write: a lane's first event does not pay the connect, and no write races it.
      const connected = retryWithBackoff(() => adapter.connect(), {
        initialDelayMs: 250,
        maxDelayMs: 5_000,
        signal,
        onRetry: (attempt, delayMs, error) =>
          logger.warn("kafka lane producer not connected yet; retrying", { lane, attempt, delayMs, error }),
      }).catch(() => {});
      const opened: LaneSink = {
        write: (records) => connected.then(() => laneSink.write(records)),
        async close() {
          if (!lanes.delete(opened)) return;
          closing.abort();
          health.remove(name);
          await adapter.close();
        },
      };
      lanes.add(opened);
      return opened;
    },
    topics,
    routeMaps,
    edges,
    async connect(onRouteMap, edgeStatus) {
      const connected = await untilStopped("kafka", async () => {
        try {
          await topics.ensure(routes.table.topics);
          readiness.set(TABLE_TOPICS_EXIST, true);
          await events.connect();
        } catch (error) {
          const refusal = await securityRefusal(error, deps.connection);
          if (refusal === undefined) throw error;
          // Readable in /readyz until the edge exits.
          const condition = refusal.code === "KAFKA_AUTH_FAILED" ? KAFKA_CREDENTIALS_ACCEPTED : KAFKA_TLS_VERIFIED;
          readiness.set(condition, false, refusal.message);
          throw refusal;
        }
      });
      if (connected) untilStopped("route map topic", () => routeMaps.start(onRouteMap)).catch(() => {});
      if (connected && edgeStatus) {
        untilStopped("edge status topic", () => edges.start(edgeStatus.onStatus)).then((started) => {
          if (started) edgeStatus.onStarted();
        }, () => {});
      }
      return connected;
    },
    async stop() {
      stopping.abort();
      readiness.set(PRODUCER_CONNECTED, false);
      await routeMaps.stop();
      await edges.stop();
      await Promise.all([...lanes].map((lane) => lane.close()));
      await events.close();
    },
  };
}

/** `lane` as a part of a Kafka client id: letters, digits, `.`, `_` and `-` kept, the rest `_`. */
function clientIdPart(lane: string): string {
  return lane.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Errors no retry fixes, which stop the edge at start. */
const STARTUP_REFUSALS = new Set(["REPLICATION_FACTOR_UNMET", "KAFKA_AUTH_FAILED", "KAFKA_TLS_FAILED"]);

/**
 * An error no retry fixes, which stops the edge at start: the cluster cannot meet the replication
 * factor, refuses the credentials, or fails the TLS handshake.
 */
function isStartupRefusal(error: unknown): boolean {
  return error instanceof VeltrixError && STARTUP_REFUSALS.has(error.code);
}
