import assert from "node:assert/strict";
import { p99BetweenMs, tenantAckBuckets } from "./edge_ack_buckets.ts";

const scrape = (quiet: number[]) =>
  [
    "# HELP veltrix_tenant_ack_seconds ack latency",
    "# TYPE veltrix_tenant_ack_seconds histogram",
    ...["0.005", "0.01", "0.025", "+Inf"].flatMap((le, i) => [
      `veltrix_tenant_ack_seconds_bucket{le="${le}",tenant="quiet"} ${quiet[i]}`,
      `veltrix_tenant_ack_seconds_bucket{le="${le}",tenant="flood"} 999`,
    ]),
    `veltrix_tenant_ack_seconds_count{tenant="quiet"} ${quiet[3]}`,
  ].join("\n");

Deno.test("tenantAckBuckets() reads one tenant's cumulative buckets, +Inf last", () => {
  assert.deepEqual(tenantAckBuckets(scrape([1, 2, 3, 4]), "quiet"), [
    { le: 0.005, count: 1 },
    { le: 0.01, count: 2 },
    { le: 0.025, count: 3 },
    { le: Infinity, count: 4 },
  ]);
  assert.deepEqual(tenantAckBuckets("veltrix_up 1\n", "quiet"), []);
});

Deno.test("p99BetweenMs() is the p99 of the observations between two scrapes, in ms; null without any", () => {
  const before = tenantAckBuckets(scrape([100, 100, 100, 100]), "quiet");
  const after = tenantAckBuckets(scrape([100, 190, 200, 200]), "quiet");
  // 100 new observations: 90 in (5, 10] ms, 10 in (10, 25] ms; the 99th is 9/10 of the way into (10, 25].
  assert.equal(p99BetweenMs(before, after), 23.5);
  assert.equal(p99BetweenMs(before, before), null);
  assert.equal(p99BetweenMs([], []), null);
});
