import { type Admin, type Kafka, Partitioners, type Producer } from "kafkajs";
import { compileRouteMapOrThrow } from "../core/compile_route_map.ts";
import { errorCodes } from "../core/error_code.ts";
import { defaultRouteMap } from "../core/default_route_map.ts";
import { ActiveRouteTable } from "../control/active_route_table.ts";
import { createAdminApp } from "./admin_app.ts";
import type { EdgeConfig } from "./config.ts";
import { createEdgeApp } from "./edge_app.ts";
import { createKafkaClient } from "./kafka_client.ts";
import { KafkaRecordSink } from "./kafka_record_sink.ts";
import { ensureTopics } from "./kafka_topics.ts";
import type { Logger } from "./log.ts";
import { ProduceBatcher } from "./produce_batcher.ts";
import { Readiness } from "./readiness.ts";

/** A running edge. */
export interface EdgeServer {
  /** The client port actually bound (useful with port 0). */
  readonly port: number;
  /** The admin port actually bound. */
  readonly adminPort: number;
  readonly readiness: Readiness;
  readonly routes: ActiveRouteTable;
  /** Resolves once the edge is ready for events the first time. */
  readonly ready: Promise<void>;
  /**
   * Stops the edge: stop accepting, flush what is batched, wait (up to the shutdown timeout) for
   * Kafka to acknowledge it so its acks can go out, then close sockets with 1001.
   */
  stop(): Promise<void>;
}

const PRODUCER = "kafka producer connected";
const TABLE = "route table loaded";
const TOPICS = "route table topics exist";

/** Starts an edge: both HTTP listeners at once, and the Kafka connection in the background. */
export function startEdgeServer(config: EdgeConfig, logger: Logger): EdgeServer {
  const readiness = new Readiness([PRODUCER, TABLE, TOPICS]);
  const routes = new ActiveRouteTable(compileRouteMapOrThrow(defaultRouteMap()));
  readiness.set(TABLE, true);

  const kafka = createKafkaClient(`veltrix-edge-${config.edgeId}`, config.kafkaBrokers, logger);
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  producer.on(producer.events.CONNECT, () => readiness.set(PRODUCER, true));
  producer.on(producer.events.DISCONNECT, () => readiness.set(PRODUCER, false));
  const batcher = new ProduceBatcher(new KafkaRecordSink(producer, config.produceTimeoutMs), {
    lingerMs: config.lingerMs,
    maxBatchEvents: config.batchMaxEvents,
    maxBatchBytes: config.batchMaxBytes,
    maxInFlightBatches: config.maxInFlightBatches,
    maxPendingEvents: config.maxPendingEvents,
  });

  const sockets = new Set<WebSocket>();
  const draining = { value: false };
  const edgeApp = createEdgeApp({
    jwtSecret: config.jwtSecret,
    readiness,
    ingest: { routes, batcher, edgeId: config.edgeId, draining },
    sockets,
    logger,
  });
  const adminApp = createAdminApp({ readiness, routes, edgeId: config.edgeId });

  const abort = new AbortController();
  const edgeHttp = Deno.serve(
    { hostname: config.host, port: config.port, signal: abort.signal, onListen: () => {} },
    edgeApp.fetch,
  );
  const adminHttp = Deno.serve(
    { hostname: config.adminHost, port: config.adminPort, signal: abort.signal, onListen: () => {} },
    adminApp.fetch,
  );

  let stopping = false;
  const ready = connectKafka(kafka, producer, routes, config, readiness, logger, () => stopping);

  return {
    port: edgeHttp.addr.port,
    adminPort: adminHttp.addr.port,
    readiness,
    routes,
    ready,
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
      // Let the acks of the drained batches reach their sockets before closing them.
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const socket of sockets) {
        try {
          socket.close(errorCodes.SHUTTING_DOWN.close, "edge shutting down");
        } catch {
          // Already closed.
        }
      }
      abort.abort();
      await Promise.allSettled([edgeHttp.finished, adminHttp.finished]);
      await producer.disconnect().catch(() => {});
    },
  };
}

async function connectKafka(
  kafka: Kafka,
  producer: Producer,
  routes: ActiveRouteTable,
  config: EdgeConfig,
  readiness: Readiness,
  logger: Logger,
  stopping: () => boolean,
): Promise<void> {
  let admin: Admin | undefined;
  for (let attempt = 1; !stopping(); attempt++) {
    try {
      admin ??= kafka.admin();
      await admin.connect();
      const created = await ensureTopics(admin, routes.current.topics, {
        partitions: config.topicPartitions,
        replicationFactor: config.topicReplicationFactor,
      });
      if (created.length > 0) logger.info("created topics", { topics: created });
      readiness.set(TOPICS, true);
      await producer.connect();
      await admin.disconnect();
      logger.info("edge ready", { routeVersion: routes.current.versionText, brokers: config.kafkaBrokers });
      return;
    } catch (error) {
      const delay = Math.min(5_000, 250 * 2 ** Math.min(attempt, 5));
      logger.warn("kafka not reachable yet; retrying", { attempt, delayMs: delay, error });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
