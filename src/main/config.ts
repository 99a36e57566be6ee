import { VeltrixError } from "../core/veltrix_error.ts";
import { isLogLevel, type LogLevel } from "./log.ts";

/** Everything an edge is configured with. */
export interface EdgeConfig {
  readonly host: string;
  readonly port: number;
  /** Share the client port with other edge processes on this host (SO_REUSEPORT; Linux spreads connections). */
  readonly reusePort: boolean;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly stateDir: string;
  readonly kafkaBrokers: readonly string[];
  readonly jwtSecret: string;
  readonly edgeId: string;
  readonly lingerMs: number;
  readonly batchMaxEvents: number;
  readonly batchMaxBytes: number;
  readonly maxInFlightBatches: number;
  readonly maxPendingEvents: number;
  readonly produceTimeoutMs: number;
  readonly topicPartitions: number;
  readonly topicReplicationFactor: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** Lines of one kind (a connection event, a reject code, a fault) written per 10 s; the rest are counted. */
  readonly logRateLimit: number;
  /** `id:base64,...` entries, or a path to a file of them. */
  readonly trustedKeys: string;
  readonly routeUpdateMaxBytes: number;
  /** Port of the plain-gRPC control listener on the admin host; -1 turns it off. */
  readonly grpcPort: number;
  readonly routesTopic: string;
  readonly maxInFlightPerConnection: number;
  readonly dedupPerPlayer: number;
  readonly dedupMaxIds: number;
  /** Ed25519 keys for EdDSA client tokens: `kid:base64,...` or a path to a file of them. */
  readonly jwtPublicKeys: string;
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: string | undefined;
  readonly jwtClockSkewS: number;
  /** Origins browsers may upgrade from; empty allows any. */
  readonly allowedOrigins: readonly string[];
  readonly maxFrameBytes: number;
  readonly maxEventsPerFrame: number;
  readonly maxEventBytes: number;
  readonly maxDataDepth: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerPlayer: number;
  readonly handshakeTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly ratePerConnection: number;
  readonly ratePerPlayer: number;
  readonly rateAbuseLimit: number;
  /** Bearer token every admin read needs; unset: reads are open (loopback only). */
  readonly opsToken: string | undefined;
}

/** One environment variable the edge reads. */
export interface ConfigVariable {
  readonly name: string;
  readonly default: string;
  readonly doc: string;
}

type Parser<T> = (raw: string) => T | { problem: string };

const int = (min: number, max: number): Parser<number> => (raw) => {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    return { problem: `must be an integer from ${min} to ${max}` };
  }
  return value;
};
const nonEmpty: Parser<string> = (raw) => raw.trim() === "" ? { problem: "must not be empty" } : raw;

/** Every variable, its default and what it does: the README's table is written from this. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: "VELTRIX_HOST", default: "0.0.0.0", doc: "Address the client (WebSocket) port binds to." },
  {
    name: "VELTRIX_PORT",
    default: "8787",
    doc: "Client port: `GET /v1/ingest`, `/healthz`, `/readyz`. 0 picks a free port.",
  },
  {
    name: "VELTRIX_REUSE_PORT",
    default: "false",
    doc:
      "true lets several edge processes share VELTRIX_PORT on one host (SO_REUSEPORT): the kernel spreads connections.",
  },
  { name: "VELTRIX_ADMIN_HOST", default: "127.0.0.1", doc: "Address the admin port binds to." },
  {
    name: "VELTRIX_ADMIN_PORT",
    default: "8788",
    doc: "Admin port: health, readiness, route control. 0 picks a free port.",
  },
  {
    name: "VELTRIX_STATE_DIR",
    default: ".veltrix/state",
    doc:
      "Where the edge keeps state that must survive a restart (reserved for the control plane's last-known-good route map; nothing is written there yet).",
  },
  { name: "KAFKA_BROKERS", default: "127.0.0.1:9092", doc: "Comma-separated bootstrap brokers." },
  { name: "VELTRIX_JWT_SECRET", default: "(required)", doc: "HS256 secret that client tokens are signed with." },
  { name: "VELTRIX_EDGE_ID", default: "<hostname>-<pid>", doc: "Name stamped on every routed event." },
  { name: "VELTRIX_LINGER_MS", default: "2", doc: "How long a batch waits for more events before it is sent." },
  { name: "VELTRIX_BATCH_MAX_EVENTS", default: "2000", doc: "A batch is sent once it holds this many events." },
  { name: "VELTRIX_BATCH_MAX_BYTES", default: "1048576", doc: "A batch is sent once it holds about this many bytes." },
  {
    name: "VELTRIX_MAX_INFLIGHT_BATCHES",
    default: "1",
    doc: "Produce requests outstanding at once; 1 keeps per-player order under retries.",
  },
  {
    name: "VELTRIX_MAX_PENDING_EVENTS",
    default: "100000",
    doc: "Unacked events the edge holds before it answers OVERLOADED.",
  },
  { name: "VELTRIX_PRODUCE_TIMEOUT_MS", default: "30000", doc: "Broker-side timeout of one produce request." },
  { name: "VELTRIX_TOPIC_PARTITIONS", default: "6", doc: "Partitions of topics the edge creates." },
  {
    name: "VELTRIX_TOPIC_REPLICATION_FACTOR",
    default: "-1",
    doc: "Replication factor of topics the edge creates; -1 is the broker default.",
  },
  {
    name: "VELTRIX_SHUTDOWN_TIMEOUT_MS",
    default: "10000",
    doc: "Longest a SIGTERM/SIGINT shutdown waits for Kafka before exiting.",
  },
  { name: "VELTRIX_LOG_LEVEL", default: "info", doc: "debug, info, warn or error." },
  {
    name: "VELTRIX_LOG_RATE_LIMIT",
    default: "10",
    doc:
      "Lines of one kind (connection opened or closed, a reject code, a fault) written per 10 s; the rest are counted.",
  },
  {
    name: "VELTRIX_TRUSTED_KEYS",
    default: "(none)",
    doc:
      "Route-map signing keys: `id:base64-raw-ed25519-public-key,...`, or a path (starting `/`, `./` or `../`) to a file of such entries. Empty: every update is refused.",
  },
  {
    name: "VELTRIX_ROUTE_UPDATE_MAX_BYTES",
    default: "8388608",
    doc: "Size cap of one signed route map.",
  },
  {
    name: "VELTRIX_GRPC_PORT",
    default: "8789",
    doc: "Plain-gRPC (h2c) control listener on the admin host; 0 picks a free port, -1 turns it off.",
  },
  {
    name: "VELTRIX_ROUTES_TOPIC",
    default: "veltrix.routes",
    doc: "Compacted topic that carries signed route maps to every edge.",
  },
  {
    name: "VELTRIX_MAX_INFLIGHT_PER_CONNECTION",
    default: "1000",
    doc: "Unacked events one connection may hold before its new events get OVERLOADED.",
  },
  {
    name: "VELTRIX_DEDUP_PER_PLAYER",
    default: "128",
    doc:
      "Recent event ids remembered per player; a resend of one is acked again instead of written twice. 0 turns it off.",
  },
  {
    name: "VELTRIX_DEDUP_MAX_IDS",
    default: "1000000",
    doc:
      "Recent event ids remembered in all (about 150 bytes each); past it the players seen longest ago are forgotten.",
  },
  {
    name: "VELTRIX_JWT_PUBLIC_KEYS",
    default: "(none)",
    doc:
      "Ed25519 keys for EdDSA client tokens, by `kid`: `kid:base64-raw-public-key,...` or a path (starting `/`, `./` or `../`) to a file of them.",
  },
  { name: "VELTRIX_JWT_ISSUER", default: "(any)", doc: "When set, client tokens must carry this `iss`." },
  { name: "VELTRIX_JWT_AUDIENCE", default: "(any)", doc: "When set, client tokens' `aud` must be or contain this." },
  { name: "VELTRIX_JWT_CLOCK_SKEW_S", default: "30", doc: "Leeway for `exp` and `nbf`, in seconds." },
  {
    name: "VELTRIX_ALLOWED_ORIGINS",
    default: "(any)",
    doc:
      "Comma-separated origins browsers may upgrade from (e.g. `https://play.example.com`); requests without Origin (non-browser clients) are not affected.",
  },
  {
    name: "VELTRIX_MAX_FRAME_BYTES",
    default: "262144",
    doc: "Largest frame; a larger one closes the connection with 1009.",
  },
  { name: "VELTRIX_MAX_EVENTS_PER_FRAME", default: "500", doc: "Most events in one frame (TOO_MANY_EVENTS past it)." },
  {
    name: "VELTRIX_MAX_EVENT_BYTES",
    default: "16384",
    doc: "Largest event as routed (EVENT_TOO_LARGE past it); ids and types have fixed limits.",
  },
  {
    name: "VELTRIX_MAX_DATA_DEPTH",
    default: "32",
    doc: "Deepest nesting of arrays and objects in an event's data (DATA_TOO_DEEP past it).",
  },
  {
    name: "VELTRIX_MAX_CONNECTIONS",
    default: "20000",
    doc:
      "Open client connections in all (upgrades past it get 503); lowered to fit the open-file limit when it is known.",
  },
  {
    name: "VELTRIX_MAX_CONNECTIONS_PER_PLAYER",
    default: "4",
    doc: "Open connections per player (upgrades past it get 429).",
  },
  {
    name: "VELTRIX_HANDSHAKE_TIMEOUT_MS",
    default: "10000",
    doc: "An upgraded socket that has not opened by then is closed.",
  },
  {
    name: "VELTRIX_IDLE_TIMEOUT_MS",
    default: "120000",
    doc: "A connection that sends nothing for this long is closed (1000, IDLE_TIMEOUT).",
  },
  {
    name: "VELTRIX_RATE_PER_CONNECTION",
    default: "500",
    doc: "Events per second one connection may send, in bursts of twice that (RATE_LIMITED past it).",
  },
  {
    name: "VELTRIX_RATE_PER_PLAYER",
    default: "1000",
    doc: "Events per second one player may send over all their connections, in bursts of twice that.",
  },
  {
    name: "VELTRIX_RATE_ABUSE_LIMIT",
    default: "1000",
    doc: "RATE_LIMITED rejects a connection may earn within 10 s before it is closed with 1008.",
  },
  {
    name: "VELTRIX_OPS_TOKEN",
    default: "(none)",
    doc:
      "When set, every admin read (routes, edge info, RPC reads) needs `Authorization: Bearer <token>`. Required when VELTRIX_ADMIN_HOST is not loopback.",
  },
];

/** True for loopback bind addresses. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Reads the edge's configuration from `env`. Every bad value is reported at once, in a
 * VeltrixError with code INVALID_CONFIG.
 */
export function loadEdgeConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { hostname: string; pid: number },
): EdgeConfig {
  const problems: string[] = [];
  const read = <T>(name: string, parse: Parser<T>, fallback?: string): T => {
    const raw = env[name] ?? fallback ?? CONFIG_VARIABLES.find((v) => v.name === name)!.default;
    const parsed = parse(raw);
    if (typeof parsed === "object" && parsed !== null && "problem" in parsed) {
      problems.push(`${name}=${JSON.stringify(raw)} ${parsed.problem}`);
      return undefined as T;
    }
    return parsed;
  };
  const jwtSecret = env.VELTRIX_JWT_SECRET ?? "";
  const jwtPublicKeys = env.VELTRIX_JWT_PUBLIC_KEYS ?? "";
  if (jwtSecret === "" && jwtPublicKeys.trim() === "") {
    problems.push("VELTRIX_JWT_SECRET (HS256) or VELTRIX_JWT_PUBLIC_KEYS (EdDSA) must be set");
  } else if (jwtSecret !== "" && jwtSecret.length < 16) {
    problems.push("VELTRIX_JWT_SECRET must be at least 16 characters");
  }
  const brokers = read("KAFKA_BROKERS", nonEmpty)?.split(",").map((b) => b.trim()).filter((b) => b !== "") ?? [];
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(broker)) problems.push(`KAFKA_BROKERS entry "${broker}" must be host:port`);
  }
  if (brokers.length === 0 && env.KAFKA_BROKERS?.trim()) problems.push("KAFKA_BROKERS must name a host:port");
  const logLevel = read(
    "VELTRIX_LOG_LEVEL",
    (raw) => isLogLevel(raw) ? raw : { problem: "must be debug, info, warn or error" },
  );
  const config: EdgeConfig = {
    host: read("VELTRIX_HOST", nonEmpty),
    port: read("VELTRIX_PORT", int(0, 65535)),
    reusePort: read(
      "VELTRIX_REUSE_PORT",
      (raw) => raw === "true" ? true : raw === "false" ? false : { problem: "must be true or false" },
    ),
    adminHost: read("VELTRIX_ADMIN_HOST", nonEmpty),
    adminPort: read("VELTRIX_ADMIN_PORT", int(0, 65535)),
    stateDir: read("VELTRIX_STATE_DIR", nonEmpty),
    kafkaBrokers: brokers,
    jwtSecret,
    edgeId: read("VELTRIX_EDGE_ID", nonEmpty, `${defaults.hostname}-${defaults.pid}`),
    lingerMs: read("VELTRIX_LINGER_MS", int(0, 1000)),
    batchMaxEvents: read("VELTRIX_BATCH_MAX_EVENTS", int(1, 1_000_000)),
    batchMaxBytes: read("VELTRIX_BATCH_MAX_BYTES", int(1024, 64 * 1024 * 1024)),
    maxInFlightBatches: read("VELTRIX_MAX_INFLIGHT_BATCHES", int(1, 64)),
    maxPendingEvents: read("VELTRIX_MAX_PENDING_EVENTS", int(1, 100_000_000)),
    produceTimeoutMs: read("VELTRIX_PRODUCE_TIMEOUT_MS", int(100, 600_000)),
    topicPartitions: read("VELTRIX_TOPIC_PARTITIONS", int(1, 10_000)),
    topicReplicationFactor: read("VELTRIX_TOPIC_REPLICATION_FACTOR", int(-1, 32)),
    shutdownTimeoutMs: read("VELTRIX_SHUTDOWN_TIMEOUT_MS", int(0, 600_000)),
    logLevel,
    logRateLimit: read("VELTRIX_LOG_RATE_LIMIT", int(1, 1_000_000)),
    trustedKeys: env.VELTRIX_TRUSTED_KEYS ?? "",
    routeUpdateMaxBytes: read("VELTRIX_ROUTE_UPDATE_MAX_BYTES", int(1024, 256 * 1024 * 1024)),
    grpcPort: read("VELTRIX_GRPC_PORT", int(-1, 65535)),
    routesTopic: read("VELTRIX_ROUTES_TOPIC", nonEmpty),
    maxInFlightPerConnection: read("VELTRIX_MAX_INFLIGHT_PER_CONNECTION", int(1, 1_000_000)),
    dedupPerPlayer: read("VELTRIX_DEDUP_PER_PLAYER", int(0, 100_000)),
    dedupMaxIds: read("VELTRIX_DEDUP_MAX_IDS", int(0, 100_000_000)),
    jwtPublicKeys,
    jwtIssuer: optional(env.VELTRIX_JWT_ISSUER),
    jwtAudience: optional(env.VELTRIX_JWT_AUDIENCE),
    jwtClockSkewS: read("VELTRIX_JWT_CLOCK_SKEW_S", int(0, 3600)),
    allowedOrigins: (env.VELTRIX_ALLOWED_ORIGINS ?? "").split(",").map((o) => o.trim()).filter((o) => o !== ""),
    maxFrameBytes: read("VELTRIX_MAX_FRAME_BYTES", int(256, 64 * 1024 * 1024)),
    maxEventsPerFrame: read("VELTRIX_MAX_EVENTS_PER_FRAME", int(1, 100_000)),
    maxEventBytes: read("VELTRIX_MAX_EVENT_BYTES", int(256, 16 * 1024 * 1024)),
    maxDataDepth: read("VELTRIX_MAX_DATA_DEPTH", int(1, 1_000)),
    maxConnections: read("VELTRIX_MAX_CONNECTIONS", int(1, 10_000_000)),
    maxConnectionsPerPlayer: read("VELTRIX_MAX_CONNECTIONS_PER_PLAYER", int(1, 10_000)),
    handshakeTimeoutMs: read("VELTRIX_HANDSHAKE_TIMEOUT_MS", int(100, 600_000)),
    idleTimeoutMs: read("VELTRIX_IDLE_TIMEOUT_MS", int(1_000, 86_400_000)),
    ratePerConnection: read("VELTRIX_RATE_PER_CONNECTION", int(1, 10_000_000)),
    ratePerPlayer: read("VELTRIX_RATE_PER_PLAYER", int(1, 10_000_000)),
    rateAbuseLimit: read("VELTRIX_RATE_ABUSE_LIMIT", int(1, 100_000_000)),
    opsToken: optional(env.VELTRIX_OPS_TOKEN),
  };
  if (config.opsToken !== undefined && config.opsToken.length < 16) {
    problems.push("VELTRIX_OPS_TOKEN must be at least 16 characters");
  }
  if (config.opsToken === undefined && !isLoopback(config.adminHost)) {
    problems.push(
      `VELTRIX_ADMIN_HOST=${config.adminHost} exposes the admin port beyond loopback: set VELTRIX_OPS_TOKEN, or bind it to 127.0.0.1`,
    );
  }
  if (config.topicReplicationFactor === 0) problems.push("VELTRIX_TOPIC_REPLICATION_FACTOR cannot be 0");
  if (problems.length > 0) {
    throw new VeltrixError("INVALID_CONFIG", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return Object.freeze(config);
}
