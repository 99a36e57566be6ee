import assert from "node:assert/strict";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { Readiness } from "../core/ops/readiness.ts";
import { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { KAFKA_TLS_VERIFIED, startKafka } from "./start_kafka.ts";

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

/** An adapter whose every call fails with `error`, as a client does against a broker that refuses it. */
function failingAdapter(error: Error): KafkaAdapter {
  const fail = () => Promise.reject(error);
  return {
    client: "fake",
    connect: fail,
    produce: fail,
    isPermanent: () => false,
    listTopics: fail,
    createTopics: fail,
    consumeFromStart: fail,
    onConnectionChange() {},
    close: () => Promise.resolve(),
  };
}

Deno.test("startKafka().connect() stops at a refused client certificate with KAFKA_TLS_FAILED, its message the readiness reason", async () => {
  const alert = Object.assign(new Error("received fatal alert: BadCertificate"), {
    code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
  });
  const readiness = new Readiness();
  const settings = {
    edgeId: "e1",
    produceTimeoutMs: 1_000,
    topicPartitions: 1,
    topicReplicationFactor: 1,
    routesTopic: "routes",
    edgesTopic: "edges",
  };
  const kafka = startKafka(settings, {
    adapters: () => failingAdapter(alert),
    routes: new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap()))),
    readiness,
    logger: SILENT,
    log: new RateLimitedLog(SILENT),
    connection: { brokers: ["127.0.0.1:1"], security: { protocol: "SSL", tls: {} } },
  });
  try {
    const refused = await kafka.connect(() => Promise.resolve()).then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof VeltrixError, String(refused));
    assert.equal(refused.code, "KAFKA_TLS_FAILED");
    assert.match(refused.message, /the edge sent none: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/);
    assert.equal(readiness.reasons()[KAFKA_TLS_VERIFIED], refused.message);
    assert.equal(readiness.snapshot()[KAFKA_TLS_VERIFIED], false);
  } finally {
    await kafka.stop();
  }
});
