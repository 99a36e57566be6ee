/**
 * Every environment variable the edge reads, described once: the config field it fills, its name,
 * its default, how it is parsed and what it does. The {@linkcode EdgeConfig} type, the loader and
 * the configuration table in `docs/operations.md` (`deno task docs`) are all derived from it.
 *
 * @module
 */
import {
  commaList,
  type ConfigEntry,
  flag,
  hostPorts,
  int,
  logLevel,
  nonEmpty,
  oneOf,
  optional,
  refine,
  secret,
  text,
} from "./config_parse.ts";
import { KAFKA_CLIENTS } from "../kafka/kafka_clients.ts";
import { PLAYER_TOKEN_CONFIG } from "./config_table_tokens.ts";
import { KAFKA_SECURITY_CONFIG } from "./config_table_kafka.ts";
import { TRACING_CONFIG_TABLE } from "./config_table_tracing.ts";

const HEARTBEAT_DOC = "How often an edge writes its status when nothing changes.";

/** The edge's variables, keyed by the {@linkcode EdgeConfig} field each one fills, in the docs' order. */
export const CONFIG_TABLE = {
  host: {
    env: "VELTRIX_HOST",
    default: "0.0.0.0",
    parse: nonEmpty,
    doc: "Address the client (WebSocket) port binds to.",
  },
  port: {
    env: "VELTRIX_PORT",
    default: "8787",
    parse: int(0, 65535),
    doc: "Client port: `GET /v1/ingest`, `/healthz`, `/readyz`. 0 picks a free port.",
  },
  reusePort: {
    env: "VELTRIX_REUSE_PORT",
    default: "false",
    parse: flag,
    doc:
      "`true` lets several edge processes share `VELTRIX_PORT` on one host (SO_REUSEPORT; the kernel spreads connections), one per core. Give each its own admin and gRPC port.",
  },
  adminHost: {
    env: "VELTRIX_ADMIN_HOST",
    default: "127.0.0.1",
    parse: nonEmpty,
    doc: "Address the admin port binds to.",
  },
  adminPort: {
    env: "VELTRIX_ADMIN_PORT",
    default: "8788",
    parse: int(0, 65535),
    doc: "Admin port: health, readiness, route control. 0 picks a free port.",
  },
  stateDir: {
    env: "VELTRIX_STATE_DIR",
    default: ".veltrix/state",
    parse: nonEmpty,
    doc:
      "Folder of state that survives a restart: the control plane writes the last known good route map there (`route-map.signed.pb`) on every applied update, and the edge loads it at start.",
  },
  kafkaBrokers: {
    env: "KAFKA_BROKERS",
    default: "127.0.0.1:9092",
    parse: hostPorts,
    doc:
      "Comma-separated bootstrap brokers. `deno task start` and `deno task test` bring up the local broker only when it is unset.",
  },
  kafkaClient: {
    env: "VELTRIX_KAFKA_CLIENT",
    default: "platformatic",
    parse: oneOf(KAFKA_CLIENTS),
    doc:
      "The Kafka client library the edge writes and reads with: `platformatic` (@platformatic/kafka, the default: less CPU per record) or `kafkajs` (the design card's client, kept supported and tested). See [Kafka client](#kafka-client).",
  },
  ...KAFKA_SECURITY_CONFIG,
  jwtSecret: {
    env: "VELTRIX_JWT_SECRET",
    default: "(required)",
    parse: secret(16),
    doc:
      "HS256 secret that client tokens are signed with, at least 16 characters; optional when `VELTRIX_JWT_PUBLIC_KEYS` or `VELTRIX_JWT_ISSUERS` is set. `deno task start` makes one when unset.",
    secret: true,
  },
  jwtSecretFile: {
    env: "VELTRIX_JWT_SECRET_FILE",
    default: "(none)",
    parse: optional,
    doc:
      "A file whose content (trailing newline dropped) is the HS256 secret, instead of `VELTRIX_JWT_SECRET` (a mounted Kubernetes Secret); read at start.",
  },
  edgeId: {
    env: "VELTRIX_EDGE_ID",
    default: "<hostname>-<pid>",
    parse: nonEmpty,
    doc: "Name stamped on every routed event.",
  },
  lingerMs: {
    env: "VELTRIX_LINGER_MS",
    default: "2",
    parse: int(0, 1000),
    doc: "How long a batch waits for more events before it is sent.",
  },
  batchMaxEvents: {
    env: "VELTRIX_BATCH_MAX_EVENTS",
    default: "2000",
    parse: int(1, 1_000_000),
    doc: "A batch is sent once it holds this many events.",
  },
  batchTargetEvents: {
    env: "VELTRIX_BATCH_TARGET_EVENTS",
    default: "128",
    parse: int(0, 1_000_000),
    doc:
      "Under load (its fill rate reaches an eighth of this within `VELTRIX_MAX_LINGER_MS`), a batch past its linger keeps gathering toward this many events for up to that budget; 0 turns this off.",
  },
  maxLingerMs: {
    env: "VELTRIX_MAX_LINGER_MS",
    default: "8",
    parse: int(0, 1000),
    doc: "The latency budget of adaptive batching: the longest a batch waits for company.",
  },
  idleSend: {
    env: "VELTRIX_IDLE_SEND",
    default: "true",
    parse: flag,
    doc: "`true`: a lane whose events come `VELTRIX_LINGER_MS` or more apart, on average, sends without lingering.",
  },
  batchMaxBytes: {
    env: "VELTRIX_BATCH_MAX_BYTES",
    default: "1048576",
    parse: int(1024, 64 * 1024 * 1024),
    doc: "A batch is sent once it holds about this many bytes.",
  },
  maxInFlightBatches: {
    env: "VELTRIX_MAX_INFLIGHT_BATCHES",
    default: "1",
    parse: int(1, 64),
    doc: "Produce requests outstanding at once; 1 keeps per-player order under retries.",
  },
  maxPendingEvents: {
    env: "VELTRIX_MAX_PENDING_EVENTS",
    default: "100000",
    parse: int(1, 100_000_000),
    doc: "Unacked events a produce lane holds before it answers `OVERLOADED` (per lane: see `VELTRIX_PRODUCE_LANES`).",
  },
  produceTimeoutMs: {
    env: "VELTRIX_PRODUCE_TIMEOUT_MS",
    default: "30000",
    parse: int(100, 600_000),
    doc: "Broker-side timeout of one produce request.",
  },
  topicPartitions: {
    env: "VELTRIX_TOPIC_PARTITIONS",
    default: "6",
    parse: int(1, 10_000),
    doc: "Partitions of topics the edge creates.",
  },
  topicReplicationFactor: {
    env: "VELTRIX_TOPIC_REPLICATION_FACTOR",
    default: "-1",
    parse: refine(int(-1, 32), (factor) => factor === 0 ? "cannot be 0" : undefined),
    doc: "Replication factor of topics the edge creates; -1 is the broker default.",
  },
  shutdownTimeoutMs: {
    env: "VELTRIX_SHUTDOWN_TIMEOUT_MS",
    default: "10000",
    parse: int(0, 600_000),
    doc: "Longest a SIGTERM/SIGINT shutdown waits for Kafka before exiting (after the drain delay).",
  },
  drainDelayMs: {
    env: "VELTRIX_DRAIN_DELAY_MS",
    default: "0",
    parse: int(0, 600_000),
    doc:
      "On SIGTERM/SIGINT, how long `/readyz` answers 503 while the edge still serves every socket, before it drains: time for a load balancer's health check to take it out of rotation. Set it above the balancer's check interval times its fall count.",
  },
  logLevel: {
    env: "VELTRIX_LOG_LEVEL",
    default: "info",
    parse: logLevel,
    doc: "`debug`, `info`, `warn` or `error`. Logs are JSON lines on stderr.",
  },
  logRateLimit: {
    env: "VELTRIX_LOG_RATE_LIMIT",
    default: "10",
    parse: int(1, 1_000_000),
    doc:
      "Lines of one kind (connection opened or closed, upgrade refused, a reject code, a Kafka fault) per 10 s; the rest are counted, and the next line of that kind (or a summary) carries `suppressed`.",
  },
  trustedKeys: {
    env: "VELTRIX_TRUSTED_KEYS",
    default: "(none)",
    parse: text,
    doc:
      "Route-map signing keys: `id:base64-raw-ed25519-public-key,...`, or a path (starting `/`, `./` or `../`) to a file of such entries, one per line or comma-separated, `#` comments allowed. Empty: every update is refused.",
    secret: true,
  },
  routeUpdateMaxBytes: {
    env: "VELTRIX_ROUTE_UPDATE_MAX_BYTES",
    default: "8388608",
    parse: int(1024, 256 * 1024 * 1024),
    doc: "Size cap of one signed route map.",
  },
  grpcPort: {
    env: "VELTRIX_GRPC_PORT",
    default: "8789",
    parse: int(-1, 65535),
    doc: "Plain-gRPC (h2c) control listener on the admin host; 0 picks a free port, -1 turns it off.",
  },
  routesTopic: {
    env: "VELTRIX_ROUTES_TOPIC",
    default: "veltrix.routes",
    parse: nonEmpty,
    doc: "Compacted topic that carries signed route maps to every edge.",
  },
  dryRunSamples: {
    env: "VELTRIX_DRY_RUN_SAMPLES",
    default: "0",
    parse: int(0, 1000),
    doc: "Recent `data` payloads kept in memory per event type for dry runs of new schemas; 0 keeps none.",
  },
  edgesTopic: {
    env: "VELTRIX_EDGES_TOPIC",
    default: "veltrix.edges",
    parse: nonEmpty,
    doc: "Compacted topic where every edge writes its rollout status (version in force, last refusal, heartbeat).",
  },
  edgeHeartbeatMs: { env: "VELTRIX_EDGE_HEARTBEAT_MS", default: "5000", parse: int(100, 600_000), doc: HEARTBEAT_DOC },
  edgeStaleMs: {
    env: "VELTRIX_EDGE_STALE_MS",
    default: "15000",
    parse: int(300, 3_600_000),
    doc: "How old an edge's heartbeat may be before `GET /v1/fleet` counts it as gone.",
  },
  maxInFlightPerConnection: {
    env: "VELTRIX_MAX_INFLIGHT_PER_CONNECTION",
    default: "1000",
    parse: int(1, 1_000_000),
    doc: "Unacked events one connection may hold before its new events get `OVERLOADED`.",
  },
  dedupPerPlayer: {
    env: "VELTRIX_DEDUP_PER_PLAYER",
    default: "128",
    parse: int(0, 100_000),
    doc:
      "Recent event ids remembered per player; a resend of one is acked again instead of written twice. 0 turns it off.",
  },
  dedupMaxIds: {
    env: "VELTRIX_DEDUP_MAX_IDS",
    default: "1000000",
    parse: int(0, 100_000_000),
    doc:
      "Recent event ids remembered in all (about 150 bytes each); past it the players seen longest ago are forgotten.",
  },
  ...PLAYER_TOKEN_CONFIG,
  allowedOrigins: {
    env: "VELTRIX_ALLOWED_ORIGINS",
    default: "(any)",
    parse: commaList,
    doc:
      "Comma-separated origins browsers may upgrade from (e.g. `https://play.example.com`); requests without `Origin` (non-browser clients) are not affected.",
  },
  maxFrameBytes: {
    env: "VELTRIX_MAX_FRAME_BYTES",
    default: "262144",
    parse: int(256, 64 * 1024 * 1024),
    doc: "Largest frame (characters for text frames); a larger one closes the connection with 1009.",
  },
  maxEventsPerFrame: {
    env: "VELTRIX_MAX_EVENTS_PER_FRAME",
    default: "500",
    parse: int(1, 100_000),
    doc: "Most events in one frame (`TOO_MANY_EVENTS` past it).",
  },
  maxEventBytes: {
    env: "VELTRIX_MAX_EVENT_BYTES",
    default: "16384",
    parse: int(256, 16 * 1024 * 1024),
    doc: "Largest event as routed (`EVENT_TOO_LARGE` past it); ids (64) and types (128) have fixed limits.",
  },
  maxDataDepth: {
    env: "VELTRIX_MAX_DATA_DEPTH",
    default: "32",
    parse: int(1, 1_000),
    doc: "Deepest nesting of arrays and objects in an event's data (`DATA_TOO_DEEP` past it).",
  },
  maxConnections: {
    env: "VELTRIX_MAX_CONNECTIONS",
    default: "20000",
    parse: int(1, 10_000_000),
    doc:
      "Open client connections in all (upgrades past it get 503). Keep it under `ulimit -n`; an edge that can read its open-file limit lowers it to fit (see [File descriptors](#file-descriptors)).",
  },
  maxConnectionsPerPlayer: {
    env: "VELTRIX_MAX_CONNECTIONS_PER_PLAYER",
    default: "4",
    parse: int(1, 10_000),
    doc: "Open connections per player (upgrades past it get 429).",
  },
  handshakeTimeoutMs: {
    env: "VELTRIX_HANDSHAKE_TIMEOUT_MS",
    default: "10000",
    parse: int(100, 600_000),
    doc: "An upgraded socket that has not opened by then is closed.",
  },
  idleTimeoutMs: {
    env: "VELTRIX_IDLE_TIMEOUT_MS",
    default: "120000",
    parse: int(1_000, 86_400_000),
    doc: "A connection that sends nothing for this long (and has nothing in flight) is closed (1000, `IDLE_TIMEOUT`).",
  },
  ratePerConnection: {
    env: "VELTRIX_RATE_PER_CONNECTION",
    default: "500",
    parse: int(1, 10_000_000),
    doc: "Events per second one connection may send, in bursts of twice that (`RATE_LIMITED` past it).",
  },
  ratePerPlayer: {
    env: "VELTRIX_RATE_PER_PLAYER",
    default: "1000",
    parse: int(1, 10_000_000),
    doc: "Events per second one player may send over all their connections, in bursts of twice that.",
  },
  rateAbuseLimit: {
    env: "VELTRIX_RATE_ABUSE_LIMIT",
    default: "1000",
    parse: int(1, 100_000_000),
    doc: "`RATE_LIMITED` rejects a connection may earn within 10 s before it is closed with 1008.",
  },
  opsToken: {
    env: "VELTRIX_OPS_TOKEN",
    default: "(none)",
    parse: refine(
      optional,
      (token) => token !== undefined && token.length < 16 ? "must be at least 16 characters" : undefined,
    ),
    doc:
      "When set, every admin read (routes, edge info, RPC reads) needs `Authorization: Bearer <token>`; health and readiness stay open. Required when `VELTRIX_ADMIN_HOST` is not loopback: the edge refuses to start otherwise.",
    secret: true,
  },
  ...TRACING_CONFIG_TABLE,
} as const satisfies Record<string, ConfigEntry<unknown>>;
