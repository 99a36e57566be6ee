import assert from "node:assert/strict";
import { Readiness } from "../core/ops/readiness.ts";
import { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import { ProducerHealth } from "./producer_health.ts";

const CONDITIONS = { writable: "writable", credentials: "credentials", tls: "tls" } as const;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

function setup() {
  const readiness = new Readiness(Object.values(CONDITIONS));
  const health = new ProducerHealth(readiness, new RateLimitedLog(SILENT), CONDITIONS);
  return { readiness, health };
}

Deno.test("ProducerHealth: a condition holds only while it holds for every producer (a lane's refused credentials count)", () => {
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
    { writable: false, credentials: false, tls: true },
    "the main producer's success does not hide the lane's failure",
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
