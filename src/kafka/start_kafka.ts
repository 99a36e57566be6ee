import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import type { RecordSink } from "../core/routing/record_sink.ts";
import type { RouteMapFeedListener } from "../core/updates/route_map_feed.ts";
import type { TopicLayout } from "../core/routing/topic_provisioner.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import type { KafkaAdapterFactory } from "./kafka_adapter.ts";
import { KafkaRecordSink } from "./kafka_record_sink.ts";
import { FleetTopic } from "./fleet_topic.ts";
import { EdgeStatusTopic } from "./edge_status_topic.ts";
import type { EdgeStatus } from "../core/fleet/edge_status.ts";
import { retryWithBackoff } from "./retry.ts";
import { TopicGate } from "./topic_gate.ts";

/** Readiness conditions the Kafka side owns. */
export const PRODUCER_CONNECTED = "kafka producer connected";
export const TABLE_TOPICS_EXIST = "route table topics exist";
/**
 * False while a write to Kafka fails and is retried (for instance fewer in-sync replicas than
 * `min.insync.replicas`): the edge holds what it took and acks nothing, so a balancer should send
 * new players elsewhere. True again once a write lands.
 */
export const KAFKA_WRITABLE = "kafka accepting writes";

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
  /** Makes the client of each role: events, topic admin, fleet. */
  readonly adapters: KafkaAdapterFactory;
  /** The table in force: its topics are ensured before the producer reports ready. */
  readonly routes: LiveRouteTable;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly log: RateLimitedLog;
}

/** The running Kafka side of an edge. */
export interface KafkaSide {
  /** Where routed records go (acks=all, retried until Kafka takes them or the side stops). */
  readonly sink: RecordSink;
  /** Makes sure a new table's topics exist. */
  readonly topics: TopicGate;
  /** The fleet's route-map topic. */
  readonly fleet: FleetTopic;
  /** The fleet's edge status topic. */
  readonly edges: EdgeStatusTopic;
  /**
   * Connects in the background, retrying until it can: ensures the table's topics, connects the
   * producer, then starts reading the fleet topic into `onFleetRecord` and the edge status topic
   * into `edgeStatus`. Resolves true once the producer is ready, false when the side stopped first.
   * Rejects with the VeltrixError when the cluster can never serve the edge (REPLICATION_FACTOR_UNMET).
   */
  connect(onFleetRecord: RouteMapFeedListener, edgeStatus?: EdgeStatusHandlers): Promise<boolean>;
  /** Stops retrying writes (their events fail), stops the fleet and disconnects. */
  stop(): Promise<void>;
}

/** Builds the Kafka side of an edge; nothing connects until `connect`. */
export function startKafka(settings: KafkaSettings, deps: KafkaDependencies): KafkaSide {
  const { adapters, routes, readiness, logger, log } = deps;
  readiness.add(PRODUCER_CONNECTED);
  readiness.add(TABLE_TOPICS_EXIST);
  readiness.add(KAFKA_WRITABLE);
  readiness.set(KAFKA_WRITABLE, true);
  const stopping = new AbortController();
  const events = adapters(`veltrix-edge-${settings.edgeId}`);
  events.onConnectionChange((connected) => readiness.set(PRODUCER_CONNECTED, connected && !stopping.signal.aborted));
  const layout: TopicLayout = {
    partitions: settings.topicPartitions,
    replicationFactor: settings.topicReplicationFactor,
  };
  const topics = new TopicGate(events, layout, logger);
  const sink = new KafkaRecordSink(events, {
    timeoutMs: settings.produceTimeoutMs,
    signal: stopping.signal,
    log,
    onWritable: (writable) => readiness.set(KAFKA_WRITABLE, writable),
  });
  const fleet = new FleetTopic(adapters(`veltrix-fleet-${settings.edgeId}`), {
    topic: settings.routesTopic,
    edgeId: settings.edgeId,
    logger,
  });
  const edges = new EdgeStatusTopic(adapters(`veltrix-edges-${settings.edgeId}`), {
    topic: settings.edgesTopic,
    logger,
  });
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
    topics,
    fleet,
    edges,
    async connect(onFleetRecord, edgeStatus) {
      const connected = await untilStopped("kafka", async () => {
        await topics.ensure(routes.table.topics);
        readiness.set(TABLE_TOPICS_EXIST, true);
        await events.connect();
      });
      if (connected) untilStopped("route fleet topic", () => fleet.start(onFleetRecord)).catch(() => {});
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
      await fleet.stop();
      await edges.stop();
      await events.close();
    },
  };
}

/** An error no retry fixes, which stops the edge at start: the cluster cannot meet the replication factor. */
function isStartupRefusal(error: unknown): boolean {
  return error instanceof VeltrixError && error.code === "REPLICATION_FACTOR_UNMET";
}
