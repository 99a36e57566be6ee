import assert from "node:assert/strict";
import { Readiness } from "../core/ops/readiness.ts";
import { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import { ProducerHealth } from "./producer_health.ts";
import type { KafkaSecurityFailure } from "./security_failure/kafka_security_failure.ts";

const CONDITIONS = { writable: "writable", credentials: "credentials", tls: "tls" } as const;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

function setup() {
  const readiness = new Readiness(Object.values(CONDITIONS));
  const warnings: unknown[] = [];
  const logger = { ...SILENT, warn: (_msg: string, fields?: unknown) => void warnings.push(fields) };
  const health = new ProducerHealth(readiness, new RateLimitedLog(logger), CONDITIONS);
  return { readiness, health, warnings };
}

Deno.test("ProducerHealth: refused credentials on any producer make the edge not ready, whatever the others write", () => {
  const { readiness, health } = setup();
  const main = health.add("main");
  const lane = health.add("lane acme");
  main(true);
  assert.deepEqual(readiness.snapshot(), { writable: true, credentials: true, tls: true });
  const refused = Object.assign(new Error("SASL authentication failed."), { code: "PLT_KFK_AUTHENTICATION" });
  lane(false, refused);
  assert.deepEqual(readiness.snapshot(), { writable: false, credentials: false, tls: true });
  main(true);
  assert.deepEqual(
    readiness.snapshot(),
    { writable: true, credentials: false, tls: true },
    "the main producer's writes land, but they do not hide the lane's refused credentials",
  );
  lane(true);
  assert.deepEqual(readiness.snapshot(), { writable: true, credentials: true, tls: true });
});

Deno.test("ProducerHealth: a closed lane no longer counts", () => {
  const { readiness, health } = setup();
  health.add("main")(true);
  const lane = health.add("lane gone");
  lane(false, new Error("NOT_ENOUGH_REPLICAS"));
  assert.equal(readiness.snapshot().writable, false);
  health.remove("lane gone");
  assert.equal(readiness.snapshot().writable, true);
  lane(false);
  assert.equal(readiness.snapshot().writable, true, "a removed producer's late report changes nothing");
});

Deno.test("ProducerHealth: a lane whose writes fail while another producer's land keeps the edge ready, and is logged once", () => {
  const { readiness, health, warnings } = setup();
  const main = health.add("main");
  const lane = health.add("lane kart");
  main(true);
  lane(false, new Error("NOT_ENOUGH_REPLICAS"));
  assert.equal(readiness.snapshot().writable, false, "nothing landed since the lane's failure began: not ready");
  main(true);
  assert.equal(
    readiness.snapshot().writable,
    true,
    "the main producer landed a write since: Kafka takes this edge's writes",
  );
  lane(false, new Error("NOT_ENOUGH_REPLICAS"));
  main(true);
  assert.equal(warnings.length, 1, "one warning for the episode");
  assert.match(JSON.stringify(warnings[0]), /lane kart/);
  lane(true);
  assert.deepEqual(readiness.snapshot(), { writable: true, credentials: true, tls: true });
});

Deno.test("ProducerHealth: when every producer that writes fails, an idle one's old success does not keep the edge ready", () => {
  const { readiness, health } = setup();
  const main = health.add("main");
  const kart = health.add("lane kart");
  const chess = health.add("lane chess");
  main(true);
  kart(false, new Error("connect ECONNREFUSED"));
  chess(false, new Error("connect ECONNREFUSED"));
  assert.equal(readiness.snapshot().writable, false);
  chess(true);
  assert.equal(readiness.snapshot().writable, true, "a write landed again: the broker is back");
});

Deno.test("ProducerHealth: a client certificate the broker refuses while running turns the TLS condition false", () => {
  const { readiness, health } = setup();
  const main = health.add("main");
  const alert = Object.assign(new Error("received fatal alert: CertificateUnknown"), {
    code: "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN",
  });
  main(false, alert);
  assert.deepEqual(readiness.snapshot(), { writable: false, credentials: true, tls: false });
  main(true);
  assert.deepEqual(readiness.snapshot(), { writable: true, credentials: true, tls: true });
});

Deno.test("ProducerHealth: a failure the client does not name is probed once per episode; a refused client certificate found turns TLS false", async () => {
  const readiness = new Readiness(Object.values(CONDITIONS));
  const probes: PromiseWithResolvers<KafkaSecurityFailure | undefined>[] = [];
  const probe = () => {
    probes.push(Promise.withResolvers());
    return probes.at(-1)!.promise;
  };
  const health = new ProducerHealth(readiness, new RateLimitedLog(SILENT), CONDITIONS, probe);
  const main = health.add("main");
  const closed = Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK" });
  main(false, closed);
  main(false, closed);
  assert.equal(probes.length, 1, "one probe for the episode");
  probes[0]!.resolve({ kind: "client-certificate", reason: "received fatal alert: CertificateUnknown" });
  await Promise.resolve();
  assert.deepEqual(readiness.snapshot(), { writable: false, credentials: true, tls: false });
  main(false, closed);
  assert.equal(readiness.snapshot().tls, false, "later failures of the same kind keep it");
  main(true);
  assert.deepEqual(readiness.snapshot(), { writable: true, credentials: true, tls: true });
  main(false, closed);
  assert.equal(probes.length, 2, "a new episode is probed again");
  main(true);
  probes[1]!.resolve({ kind: "client-certificate", reason: "late" });
  await Promise.resolve();
  assert.equal(readiness.snapshot().tls, true, "a probe that answers after a write landed changes nothing");
  main(false, closed);
  probes[2]!.resolve(undefined);
  await Promise.resolve();
  assert.deepEqual(
    readiness.snapshot(),
    { writable: false, credentials: true, tls: true },
    "an outage stays an outage",
  );
});
