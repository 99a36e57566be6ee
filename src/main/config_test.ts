import assert from "node:assert/strict";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { CONFIG_TABLE, CONFIG_VARIABLES, type EdgeConfig, loadEdgeConfig } from "./config.ts";
import { Refusal } from "./config_parse.ts";

const SECRET = "0123456789abcdef-test-secret";
const HOST = { hostname: "edge-host", pid: 4242 };

function load(env: Record<string, string | undefined>): EdgeConfig {
  return loadEdgeConfig({ VELTRIX_JWT_SECRET: SECRET, ...env }, HOST);
}

/** The message of the INVALID_CONFIG error `env` causes; fails when it loads or fails otherwise. */
function problemsOf(env: Record<string, string | undefined>): string {
  try {
    loadEdgeConfig(env, HOST);
  } catch (error) {
    assert.ok(error instanceof VeltrixError, `expected a VeltrixError, got ${error}`);
    assert.equal(error.code, "INVALID_CONFIG");
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

Deno.test("loadEdgeConfig() uses the documented defaults when only VELTRIX_JWT_SECRET is set", () => {
  const config = loadEdgeConfig({ VELTRIX_JWT_SECRET: SECRET }, HOST);
  assert.deepEqual(config, {
    host: "0.0.0.0",
    port: 8787,
    reusePort: false,
    adminHost: "127.0.0.1",
    adminPort: 8788,
    stateDir: ".veltrix/state",
    kafkaBrokers: ["127.0.0.1:9092"],
    kafkaClient: "platformatic",
    kafkaSecurityProtocol: "PLAINTEXT",
    kafkaSaslMechanism: undefined,
    kafkaSaslUsername: undefined,
    kafkaSaslPassword: undefined,
    kafkaSaslPasswordFile: undefined,
    kafkaSslCaFile: undefined,
    kafkaSslCertFile: undefined,
    kafkaSslKeyFile: undefined,
    kafkaSslServerName: undefined,
    kafkaOauthTokenCommand: undefined,
    kafkaOauthTokenFile: undefined,
    jwtSecret: SECRET,
    edgeId: "edge-host-4242",
    lingerMs: 2,
    batchMaxEvents: 2000,
    batchTargetEvents: 128,
    maxLingerMs: 8,
    idleSend: true,
    batchMaxBytes: 1048576,
    maxInFlightBatches: 1,
    maxPendingEvents: 100000,
    produceTimeoutMs: 30000,
    topicPartitions: 6,
    topicReplicationFactor: -1,
    shutdownTimeoutMs: 10000,
    drainDelayMs: 0,
    logLevel: "info",
    logRateLimit: 10,
    trustedKeys: "",
    routeUpdateMaxBytes: 8388608,
    grpcPort: 8789,
    routesTopic: "veltrix.routes",
    dryRunSamples: 0,
    edgesTopic: "veltrix.edges",
    edgeHeartbeatMs: 5000,
    edgeStaleMs: 15000,
    maxInFlightPerConnection: 1000,
    dedupPerPlayer: 128,
    dedupMaxIds: 1000000,
    jwtSecretFile: undefined,
    jwtPublicKeys: "",
    jwtIssuers: [],
    jwksCooldownMs: 30000,
    jwksCacheMaxAgeMs: 600000,
    jwksTimeoutMs: 5000,
    jwtIssuer: undefined,
    jwtAudience: undefined,
    jwtClockSkewS: 30,
    tenantClaim: undefined,
    produceLanes: "tenant",
    allowedOrigins: [],
    maxFrameBytes: 262144,
    maxEventsPerFrame: 500,
    maxEventBytes: 16384,
    maxDataDepth: 32,
    maxConnections: 20000,
    maxConnectionsPerPlayer: 4,
    handshakeTimeoutMs: 10000,
    idleTimeoutMs: 120000,
    ratePerConnection: 500,
    ratePerPlayer: 1000,
    rateAbuseLimit: 1000,
    opsToken: undefined,
    otelDeno: false,
    otelTracesExporter: "",
    otelExporterOtlpEndpoint: "http://localhost:4318",
    otelExporterOtlpTracesEndpoint: undefined,
    otelExporterOtlpHeaders: "",
    otelTracesSampler: "parentbased_always_on",
    otelTracesSamplerArg: 1,
    otelServiceName: "veltrix-edge",
    otelBspScheduleDelay: 5000,
  });
  assert.ok(Object.isFrozen(config));
});

/**
 * Variables that stand in for another (a secret's file form, the other OAUTHBEARER token source),
 * so that one environment cannot set them all: each is set, with what it needs, in its own.
 */
const ALTERNATIVES: Record<string, Record<string, string>> = {
  VELTRIX_JWT_SECRET_FILE: { VELTRIX_JWT_SECRET: "", VELTRIX_JWT_SECRET_FILE: "/run/secrets/jwt-secret" },
  KAFKA_SASL_PASSWORD_FILE: { KAFKA_SASL_PASSWORD: "", KAFKA_SASL_PASSWORD_FILE: "/run/secrets/kafka-password" },
  KAFKA_OAUTH_TOKEN_COMMAND: {
    KAFKA_SASL_MECHANISM: "OAUTHBEARER",
    KAFKA_SASL_USERNAME: "",
    KAFKA_SASL_PASSWORD: "",
    KAFKA_OAUTH_TOKEN_COMMAND: "msk-token --region eu-west-1",
  },
  KAFKA_OAUTH_TOKEN_FILE: {
    KAFKA_SASL_MECHANISM: "OAUTHBEARER",
    KAFKA_SASL_USERNAME: "",
    KAFKA_SASL_PASSWORD: "",
    KAFKA_OAUTH_TOKEN_FILE: "/run/secrets/kafka-token",
  },
};

/** A value for every variable (but the {@link ALTERNATIVES}), each different from its default. */
const EVERY_VARIABLE_SET: Record<string, string> = {
  VELTRIX_HOST: "127.0.0.2",
  VELTRIX_PORT: "0",
  VELTRIX_REUSE_PORT: "true",
  VELTRIX_ADMIN_HOST: "0.0.0.0",
  VELTRIX_ADMIN_PORT: "9000",
  VELTRIX_STATE_DIR: "/var/lib/veltrix",
  KAFKA_BROKERS: "kafka-1:9092",
  VELTRIX_KAFKA_CLIENT: "kafkajs",
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
  KAFKA_SASL_USERNAME: "edge",
  KAFKA_SASL_PASSWORD: "kafka-password",
  KAFKA_SSL_CA_FILE: "/etc/kafka/ca.pem",
  KAFKA_SSL_CERT_FILE: "/etc/kafka/client.pem",
  KAFKA_SSL_KEY_FILE: "/etc/kafka/client.key",
  KAFKA_SSL_SERVER_NAME: "kafka.internal",
  VELTRIX_EDGE_ID: "edge-eu-1",
  VELTRIX_LINGER_MS: "0",
  VELTRIX_BATCH_MAX_EVENTS: "500",
  VELTRIX_BATCH_TARGET_EVENTS: "64",
  VELTRIX_MAX_LINGER_MS: "5",
  VELTRIX_IDLE_SEND: "false",
  VELTRIX_BATCH_MAX_BYTES: "2048",
  VELTRIX_MAX_INFLIGHT_BATCHES: "4",
  VELTRIX_MAX_PENDING_EVENTS: "50",
  VELTRIX_PRODUCE_TIMEOUT_MS: "5000",
  VELTRIX_TOPIC_PARTITIONS: "12",
  VELTRIX_TOPIC_REPLICATION_FACTOR: "3",
  VELTRIX_SHUTDOWN_TIMEOUT_MS: "0",
  VELTRIX_DRAIN_DELAY_MS: "1500",
  VELTRIX_LOG_LEVEL: "debug",
  VELTRIX_LOG_RATE_LIMIT: "3",
  VELTRIX_TRUSTED_KEYS: "./keys.txt",
  VELTRIX_ROUTE_UPDATE_MAX_BYTES: "4096",
  VELTRIX_GRPC_PORT: "-1",
  VELTRIX_ROUTES_TOPIC: "ops.routes",
  VELTRIX_DRY_RUN_SAMPLES: "16",
  VELTRIX_EDGES_TOPIC: "ops.edges",
  VELTRIX_EDGE_HEARTBEAT_MS: "2000",
  VELTRIX_EDGE_STALE_MS: "9000",
  VELTRIX_MAX_INFLIGHT_PER_CONNECTION: "10",
  VELTRIX_DEDUP_PER_PLAYER: "0",
  VELTRIX_DEDUP_MAX_IDS: "500",
  VELTRIX_JWT_PUBLIC_KEYS: "./jwt-keys.txt",
  VELTRIX_JWT_ISSUERS:
    '[{"issuer":"https://id.example","jwksUrl":"https://id.example/jwks.json","audience":"game","algorithms":["RS256","ES256"]}]',
  VELTRIX_JWKS_COOLDOWN_MS: "1000",
  VELTRIX_JWKS_CACHE_MAX_AGE_MS: "60000",
  VELTRIX_JWKS_TIMEOUT_MS: "2000",
  VELTRIX_JWT_ISSUER: "auth.game",
  VELTRIX_JWT_AUDIENCE: "veltrix",
  VELTRIX_TENANT_CLAIM: "game",
  VELTRIX_PRODUCE_LANES: "shared",
  VELTRIX_JWT_CLOCK_SKEW_S: "5",
  VELTRIX_ALLOWED_ORIGINS: "https://a.example, https://b.example",
  VELTRIX_MAX_FRAME_BYTES: "1024",
  VELTRIX_MAX_EVENTS_PER_FRAME: "10",
  VELTRIX_MAX_EVENT_BYTES: "512",
  VELTRIX_MAX_DATA_DEPTH: "4",
  VELTRIX_MAX_CONNECTIONS: "100",
  VELTRIX_MAX_CONNECTIONS_PER_PLAYER: "1",
  VELTRIX_HANDSHAKE_TIMEOUT_MS: "500",
  VELTRIX_IDLE_TIMEOUT_MS: "2000",
  VELTRIX_RATE_PER_CONNECTION: "5",
  VELTRIX_RATE_PER_PLAYER: "6",
  VELTRIX_RATE_ABUSE_LIMIT: "7",
  VELTRIX_OPS_TOKEN: "ops-token-0123456789",
  OTEL_DENO: "true",
  OTEL_TRACES_EXPORTER: "none",
  OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/traces",
  OTEL_EXPORTER_OTLP_HEADERS: "api-key=k",
  OTEL_TRACES_SAMPLER: "traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0.25",
  OTEL_SERVICE_NAME: "edge-eu",
  OTEL_BSP_SCHEDULE_DELAY: "250",
};

Deno.test("loadEdgeConfig() reads every variable when it is set", () => {
  const config = load(EVERY_VARIABLE_SET);
  assert.deepEqual(config, {
    host: "127.0.0.2",
    port: 0,
    reusePort: true,
    adminHost: "0.0.0.0",
    adminPort: 9000,
    stateDir: "/var/lib/veltrix",
    kafkaBrokers: ["kafka-1:9092"],
    kafkaClient: "kafkajs",
    kafkaSecurityProtocol: "SASL_SSL",
    kafkaSaslMechanism: "SCRAM-SHA-512",
    kafkaSaslUsername: "edge",
    kafkaSaslPassword: "kafka-password",
    kafkaSaslPasswordFile: undefined,
    kafkaSslCaFile: "/etc/kafka/ca.pem",
    kafkaSslCertFile: "/etc/kafka/client.pem",
    kafkaSslKeyFile: "/etc/kafka/client.key",
    kafkaSslServerName: "kafka.internal",
    kafkaOauthTokenCommand: undefined,
    kafkaOauthTokenFile: undefined,
    jwtSecret: SECRET,
    edgeId: "edge-eu-1",
    lingerMs: 0,
    batchMaxEvents: 500,
    batchTargetEvents: 64,
    maxLingerMs: 5,
    idleSend: false,
    batchMaxBytes: 2048,
    maxInFlightBatches: 4,
    maxPendingEvents: 50,
    produceTimeoutMs: 5000,
    topicPartitions: 12,
    topicReplicationFactor: 3,
    shutdownTimeoutMs: 0,
    drainDelayMs: 1500,
    logLevel: "debug",
    logRateLimit: 3,
    trustedKeys: "./keys.txt",
    routeUpdateMaxBytes: 4096,
    grpcPort: -1,
    routesTopic: "ops.routes",
    dryRunSamples: 16,
    edgesTopic: "ops.edges",
    edgeHeartbeatMs: 2000,
    edgeStaleMs: 9000,
    maxInFlightPerConnection: 10,
    dedupPerPlayer: 0,
    dedupMaxIds: 500,
    jwtSecretFile: undefined,
    jwtPublicKeys: "./jwt-keys.txt",
    jwtIssuers: [
      {
        issuer: "https://id.example",
        jwksUrl: "https://id.example/jwks.json",
        audience: "game",
        algorithms: ["RS256", "ES256"],
      },
    ],
    jwksCooldownMs: 1000,
    jwksCacheMaxAgeMs: 60000,
    jwksTimeoutMs: 2000,
    jwtIssuer: "auth.game",
    jwtAudience: "veltrix",
    jwtClockSkewS: 5,
    tenantClaim: "game",
    produceLanes: "shared",
    allowedOrigins: ["https://a.example", "https://b.example"],
    maxFrameBytes: 1024,
    maxEventsPerFrame: 10,
    maxEventBytes: 512,
    maxDataDepth: 4,
    maxConnections: 100,
    maxConnectionsPerPlayer: 1,
    handshakeTimeoutMs: 500,
    idleTimeoutMs: 2000,
    ratePerConnection: 5,
    ratePerPlayer: 6,
    rateAbuseLimit: 7,
    opsToken: "ops-token-0123456789",
    otelDeno: true,
    otelTracesExporter: "none",
    otelExporterOtlpEndpoint: "http://collector:4318",
    otelExporterOtlpTracesEndpoint: "http://collector:4318/traces",
    otelExporterOtlpHeaders: "api-key=k",
    otelTracesSampler: "traceidratio",
    otelTracesSamplerArg: 0.25,
    otelServiceName: "edge-eu",
    otelBspScheduleDelay: 250,
  });
});

Deno.test("loadEdgeConfig() treats an unset variable like a missing one", () => {
  assert.equal(load({ VELTRIX_PORT: undefined }).port, 8787);
});

Deno.test("loadEdgeConfig() reports every bad value together in one INVALID_CONFIG error", () => {
  const message = problemsOf({ VELTRIX_PORT: "abc", VELTRIX_LINGER_MS: "-1" });
  assert.match(message, /VELTRIX_PORT="abc"/);
  assert.match(message, /VELTRIX_LINGER_MS="-1"/);
  assert.match(message, /VELTRIX_JWT_SECRET/);
  assert.doesNotMatch(message, /VELTRIX_ADMIN_PORT/, "good values are not reported");
});

Deno.test("loadEdgeConfig() requires a VELTRIX_JWT_SECRET of at least 16 characters", () => {
  assert.match(problemsOf({}), /VELTRIX_JWT_SECRET/);
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: "" }), /VELTRIX_JWT_SECRET/);
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: "a".repeat(15) }), /VELTRIX_JWT_SECRET/);
  assert.equal(load({ VELTRIX_JWT_SECRET: "a".repeat(16) }).jwtSecret, "a".repeat(16));
});

Deno.test("loadEdgeConfig() never puts the secret in its error message", () => {
  const message = problemsOf({ VELTRIX_JWT_SECRET: "short-secret", VELTRIX_PORT: "x" });
  assert.doesNotMatch(message, /short-secret/);
});

Deno.test("loadEdgeConfig() accepts integers only inside each variable's range", () => {
  const rejected: Record<string, string>[] = [
    { VELTRIX_PORT: "65536" },
    { VELTRIX_PORT: "-1" },
    { VELTRIX_PORT: "80.5" },
    { VELTRIX_PORT: "1e3" },
    { VELTRIX_PORT: "" },
    { VELTRIX_LINGER_MS: "1001" },
    { VELTRIX_BATCH_MAX_EVENTS: "0" },
    { VELTRIX_BATCH_MAX_BYTES: "1023" },
    { VELTRIX_MAX_INFLIGHT_BATCHES: "65" },
    { VELTRIX_MAX_PENDING_EVENTS: "0" },
    { VELTRIX_PRODUCE_TIMEOUT_MS: "99" },
    { VELTRIX_TOPIC_PARTITIONS: "0" },
    { VELTRIX_TOPIC_REPLICATION_FACTOR: "-2" },
    { VELTRIX_SHUTDOWN_TIMEOUT_MS: "600001" },
    { VELTRIX_LOG_RATE_LIMIT: "0" },
  ];
  for (const env of rejected) {
    const [name] = Object.keys(env);
    assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, ...env }), new RegExp(`${name}=`), JSON.stringify(env));
  }
  assert.equal(load({ VELTRIX_PORT: "65535" }).port, 65535);
  assert.equal(load({ VELTRIX_LINGER_MS: "1000" }).lingerMs, 1000);
  assert.equal(load({ VELTRIX_BATCH_MAX_BYTES: "1024" }).batchMaxBytes, 1024);
});

Deno.test("loadEdgeConfig() rejects a replication factor of 0 but accepts -1 for the broker default", () => {
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_TOPIC_REPLICATION_FACTOR: "0" }), /REPLICATION_FACTOR/);
  assert.equal(load({ VELTRIX_TOPIC_REPLICATION_FACTOR: "-1" }).topicReplicationFactor, -1);
});

Deno.test("loadEdgeConfig() rejects an unknown log level and empty hosts", () => {
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_LOG_LEVEL: "verbose" }), /VELTRIX_LOG_LEVEL/);
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_HOST: " " }), /VELTRIX_HOST/);
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_EDGE_ID: "" }), /VELTRIX_EDGE_ID/);
});

Deno.test("loadEdgeConfig() splits KAFKA_BROKERS on commas and trims each entry", () => {
  assert.deepEqual(load({ KAFKA_BROKERS: "kafka-1:9092, kafka-2:9093 ,10.0.0.3:9094" }).kafkaBrokers, [
    "kafka-1:9092",
    "kafka-2:9093",
    "10.0.0.3:9094",
  ]);
  assert.deepEqual(load({ KAFKA_BROKERS: "kafka-1:9092," }).kafkaBrokers, ["kafka-1:9092"]);
});

Deno.test("loadEdgeConfig() names every KAFKA_BROKERS entry that is not host:port", () => {
  const message = problemsOf({ VELTRIX_JWT_SECRET: SECRET, KAFKA_BROKERS: "good:9092,no-port,bad:port,far:123456" });
  assert.match(message, /"no-port"/);
  assert.match(message, /"bad:port"/);
  assert.match(message, /"far:123456"/);
  assert.doesNotMatch(message, /"good:9092"/);
});

Deno.test("loadEdgeConfig() rejects a KAFKA_BROKERS list with no entries", () => {
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, KAFKA_BROKERS: "" }), /KAFKA_BROKERS/);
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, KAFKA_BROKERS: " , ," }), /KAFKA_BROKERS/);
});

Deno.test("loadEdgeConfig() reads every variable of CONFIG_TABLE exactly once, and no other", () => {
  const reads = new Map<string, number>();
  const env = new Proxy({ VELTRIX_JWT_SECRET: SECRET } as Record<string, string | undefined>, {
    get(target, name) {
      if (typeof name === "string") reads.set(name, (reads.get(name) ?? 0) + 1);
      return Reflect.get(target, name);
    },
  });
  loadEdgeConfig(env, HOST);
  const listed: string[] = Object.values(CONFIG_TABLE).map((entry) => entry.env);
  assert.deepEqual([...reads.keys()].filter((name) => !listed.includes(name)), [], "read but not in the table");
  assert.deepEqual(listed.filter((name) => reads.get(name) !== 1), [], "in the table but not read exactly once");
});

Deno.test("CONFIG_TABLE names each variable once, with a default and a doc", () => {
  const names = Object.values(CONFIG_TABLE).map((entry) => entry.env);
  assert.equal(new Set(names).size, names.length);
  for (const entry of Object.values(CONFIG_TABLE)) {
    assert.match(entry.env, /^(VELTRIX_|KAFKA_|OTEL_)[A-Z0-9_]+$/);
    assert.notEqual(entry.default, "", entry.env);
    assert.notEqual(entry.doc, "", entry.env);
  }
});

Deno.test("the config sources spell each variable's name once, in its CONFIG_TABLE entry, and read env only there", async () => {
  const files = [
    "config.ts",
    "config_table.ts",
    "config_table_tokens.ts",
    "config_table_kafka.ts",
    "config_table_tracing.ts",
    "config_parse.ts",
  ];
  const sources = await Promise.all(files.map((file) => Deno.readTextFile(new URL(file, import.meta.url))));
  const all = sources.join("\n");
  for (const entry of Object.values(CONFIG_TABLE)) {
    assert.equal(all.split(`"${entry.env}"`).length - 1, 1, `"${entry.env}" is spelled once`);
  }
  assert.doesNotMatch(all, /\benv\.[A-Za-z_]/, "no variable is read as env.NAME, past the table");
  assert.equal(all.split("env[").length - 1, 1, "env is indexed in one place, the loader's loop");
});

Deno.test("loadEdgeConfig() fills each field with what its CONFIG_TABLE entry's parser makes of its variable", () => {
  const env: Record<string, string> = { VELTRIX_JWT_SECRET: SECRET, ...EVERY_VARIABLE_SET };
  const defaults = loadEdgeConfig({ VELTRIX_JWT_SECRET: SECRET }, HOST);
  assert.deepEqual(Object.keys(loadEdgeConfig(env, HOST)).sort(), Object.keys(CONFIG_TABLE).sort());
  for (const [field, entry] of Object.entries(CONFIG_TABLE)) {
    const alternative = ALTERNATIVES[entry.env];
    const config = loadEdgeConfig(alternative ? { ...env, ...alternative } : env, HOST);
    const raw = (alternative ?? env)[entry.env];
    assert.ok(raw !== undefined, `EVERY_VARIABLE_SET sets ${entry.env}`);
    const value = config[field as keyof EdgeConfig];
    // jwtSecret is required: it reads as set whatever it holds.
    if (field !== "jwtSecret") {
      assert.notDeepEqual(value, defaults[field as keyof EdgeConfig], `${entry.env} is set`);
    }
    assert.deepEqual(value, entry.parse(raw, entry.env), entry.env);
  }
});

Deno.test("loadEdgeConfig() gives an unset variable its documented default, or empty text for a (placeholder)", () => {
  const config = loadEdgeConfig({ VELTRIX_JWT_SECRET: SECRET }, HOST);
  for (const [field, entry] of Object.entries(CONFIG_TABLE)) {
    if (entry.env === "VELTRIX_JWT_SECRET" || entry.default.includes("<")) continue;
    const raw = entry.default.startsWith("(") ? "" : entry.default;
    assert.deepEqual(config[field as keyof EdgeConfig], entry.parse(raw, entry.env), entry.env);
  }
  assert.equal(config.edgeId, "edge-host-4242", "<hostname>-<pid>");
});

Deno.test("CONFIG_VARIABLES is CONFIG_TABLE's name, default and doc of each entry, in order", () => {
  assert.deepEqual(
    CONFIG_VARIABLES,
    Object.values(CONFIG_TABLE).map((entry) => ({ name: entry.env, default: entry.default, doc: entry.doc })),
  );
});

Deno.test("loadEdgeConfig() refuses an admin port beyond loopback without VELTRIX_OPS_TOKEN", () => {
  assert.match(problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_ADMIN_HOST: "0.0.0.0" }), /VELTRIX_OPS_TOKEN/);
  const config = load({ VELTRIX_ADMIN_HOST: "0.0.0.0", VELTRIX_OPS_TOKEN: "ops-token-0123456789" });
  assert.equal(config.adminHost, "0.0.0.0");
});

Deno.test("loadEdgeConfig() accepts EdDSA public keys instead of an HS256 secret, but needs one of them", () => {
  const config = loadEdgeConfig({ VELTRIX_JWT_PUBLIC_KEYS: "k:AAAA" }, HOST);
  assert.equal(config.jwtSecret, "");
  assert.match(
    problemsOf({ VELTRIX_JWT_SECRET: undefined }),
    /VELTRIX_JWT_SECRET \(HS256\), VELTRIX_JWT_PUBLIC_KEYS \(EdDSA\) or VELTRIX_JWT_ISSUERS/,
  );
});

Deno.test("loadEdgeConfig() takes VELTRIX_REUSE_PORT as true or false only", () => {
  assert.equal(load({ VELTRIX_REUSE_PORT: "true" }).reusePort, true);
  assert.equal(load({ VELTRIX_REUSE_PORT: "false" }).reusePort, false);
  assert.match(problemsOf({ VELTRIX_REUSE_PORT: "yes" }), /VELTRIX_REUSE_PORT="yes" must be true or false/);
});

Deno.test("loadEdgeConfig() requires a VELTRIX_OPS_TOKEN of at least 16 characters and never quotes it", () => {
  const message = problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_OPS_TOKEN: "short-token" });
  assert.match(message, /VELTRIX_OPS_TOKEN must be at least 16 characters/);
  assert.doesNotMatch(message, /short-token/);
  assert.equal(load({ VELTRIX_OPS_TOKEN: " " }).opsToken, undefined, "blank is unset");
});

Deno.test("loadEdgeConfig() checks a rule over several variables only when each of them could be read", () => {
  const shortToken = problemsOf({
    VELTRIX_JWT_SECRET: SECRET,
    VELTRIX_ADMIN_HOST: "0.0.0.0",
    VELTRIX_OPS_TOKEN: "short",
  });
  assert.doesNotMatch(shortToken, /exposes the admin port/, "a refused token is not reported as missing");
  const blankHost = problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_ADMIN_HOST: " " });
  assert.match(blankHost, /VELTRIX_ADMIN_HOST=" " must not be empty/);
  assert.doesNotMatch(blankHost, /exposes the admin port/);
  const shortSecret = problemsOf({ VELTRIX_JWT_SECRET: "a".repeat(15) });
  assert.doesNotMatch(shortSecret, /must be set/, "a refused secret is not reported as missing");
});

Deno.test("EdgeConfig has one field per CONFIG_TABLE entry, named as the entry, of the type its parser makes", () => {
  const config = load({});
  assert.deepEqual(Object.keys(config).sort(), Object.keys(CONFIG_TABLE).sort());
  for (const [field, entry] of Object.entries(CONFIG_TABLE)) {
    const parsed = entry.parse(entry.default, field) as unknown;
    const value = config[field as keyof EdgeConfig] as unknown;
    if (parsed instanceof Refusal || parsed === undefined || value === undefined) continue;
    assert.equal(typeof value, typeof parsed, field);
  }
});

Deno.test("loadEdgeConfig() takes VELTRIX_JWT_ISSUERS alone as the token configuration, and names every bad entry", () => {
  const issuers =
    '[{"issuer":"https://id.example","jwksUrl":"https://id.example/jwks","audience":["a","b"],"algorithms":["EdDSA"]}]';
  const config = load({ VELTRIX_JWT_SECRET: undefined, VELTRIX_JWT_ISSUERS: issuers });
  assert.deepEqual(config.jwtIssuers[0]?.audience, ["a", "b"]);
  const message = problemsOf({
    VELTRIX_JWT_ISSUERS:
      '[{"issuer":"","jwksUrl":"ftp://x","audience":"a","algorithms":["HS256"]},{"issuer":"i","jwksUrl":"https://x","audience":[],"algorithms":["RS256"]}]',
  });
  assert.match(message, /entry 0: "issuer"/);
  assert.match(message, /entry 0: "jwksUrl"/);
  assert.match(message, /entry 0: "algorithms"/);
  assert.match(message, /entry 1: "audience"/);
  assert.match(problemsOf({ VELTRIX_JWT_ISSUERS: "{" }), /VELTRIX_JWT_ISSUERS is not JSON/);
});

Deno.test("loadEdgeConfig() takes VELTRIX_JWT_SECRET_FILE instead of the secret, but not both", () => {
  assert.equal(
    load({ VELTRIX_JWT_SECRET: undefined, VELTRIX_JWT_SECRET_FILE: "/run/secrets/jwt" }).jwtSecretFile,
    "/run/secrets/jwt",
  );
  assert.match(
    problemsOf({ VELTRIX_JWT_SECRET: SECRET, VELTRIX_JWT_SECRET_FILE: "/run/secrets/jwt" }),
    /one of VELTRIX_JWT_SECRET or VELTRIX_JWT_SECRET_FILE/,
  );
});
