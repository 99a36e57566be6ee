import assert from "node:assert/strict";
import client from "prom-client";
import { LATENCY_BUCKETS, tenantAckHistograms } from "./tenant_metrics.ts";

Deno.test("tenantAckHistograms() exposes exactly what a prom-client histogram labelled by tenant would", async () => {
  const ours = new client.Registry();
  const theirs = new client.Registry();
  const acks = tenantAckHistograms(ours);
  const reference = new client.Histogram({
    name: "veltrix_tenant_ack_seconds",
    help: "From a frame's arrival to the ack of its event, per tenant (the tenants the route map lists, and other).",
    labelNames: ["tenant"],
    buckets: LATENCY_BUCKETS,
    registers: [theirs],
  });
  // Below the first bound, on bounds, between them, and past the last.
  const latenciesMs = [0.2, 1, 2.5, 3, 7, 10, 49, 100, 999, 1000, 2500, 9999, 10_000, 60_000];
  for (const [i, ms] of latenciesMs.entries()) {
    const tenant = i % 3 === 0 ? "other" : "acme";
    acks(tenant).acked(ms);
    reference.labels(tenant).observe(ms / 1000);
  }
  assert.equal(acks("acme"), acks("acme"), "one histogram per label");
  const lines = (text: string) => text.split("\n").filter((line) => line !== "").sort();
  assert.deepEqual(lines(await ours.metrics()), lines(await theirs.metrics()));
});
