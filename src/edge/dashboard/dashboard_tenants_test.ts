import assert from "node:assert/strict";
import { tenantQuota } from "../../core/route_map/testing/tenant_quota.ts";
import { type DashboardTenant, TenantAckWindows, tenantRows, type TenantSample } from "./dashboard_tenants.ts";

const BOUNDS = [0.01, 0.025, 0.05];

const TENANCY = { listed: [tenantQuota("kart")], other: tenantQuota("other") };

/** A sample in which `kart` has acked these many events per bucket so far (cumulative over time). */
function sample(perBucket: readonly number[]): TenantSample {
  let running = 0;
  const ack = [...BOUNDS, Infinity].map((le, i) => ({ le, count: running += perBucket[i] ?? 0 }));
  return new Map([["kart", { admitted: 0, overQuota: 0, bytes: 0, connections: 0, ack }]]);
}

/** kart's row over one second between two samples, the second taken at `at` ms. */
function kart(before: TenantSample, after: TenantSample, windows: TenantAckWindows, at: number): DashboardTenant {
  return tenantRows(TENANCY, before, after, 1, windows, at)[0]!;
}

Deno.test("tenantRows() says too few while a tenant's acks in the last 10 s are fewer than 20, then estimates over all of them", () => {
  const windows = new TenantAckWindows();
  const s0 = sample([]);
  const s1 = sample([0, 10]); // 10 acks in (10, 25] ms
  const s2 = sample([0, 10, 10]); // then 10 in (25, 50] ms
  assert.deepEqual(kart(s0, s1, windows, 1000).ackP99, { kind: "too-few", samples: 10, minimum: 20 });
  const p99 = kart(s1, s2, windows, 2000).ackP99;
  // 20 acks over the two intervals: rank 19.8 is the 9.8th of the 10 in (25, 50] ms.
  assert.deepEqual(p99, { kind: "estimate", ms: 49.5, samples: 20 });
});

Deno.test("tenantRows() forgets acks older than 10 s, and says above the last bound past it", () => {
  const windows = new TenantAckWindows();
  const s1 = sample([0, 30]);
  assert.equal(kart(sample([]), s1, windows, 1000).ackP99.kind, "estimate");
  assert.deepEqual(kart(s1, s1, windows, 11_000).ackP99, { kind: "too-few", samples: 0, minimum: 20 });
  const s2 = sample([0, 30, 0, 25]); // 25 acks past 50 ms
  assert.deepEqual(kart(s1, s2, windows, 12_000).ackP99, { kind: "above", ms: 50, samples: 25 });
});

Deno.test("tenantRows() gives each tenant the map lists a window of its own", () => {
  const windows = new TenantAckWindows();
  const rows = tenantRows(TENANCY, sample([]), sample([0, 25]), 1, windows, 1000);
  assert.deepEqual(rows.map((row) => [row.name, row.ackP99.kind, row.ackP99.samples]), [
    ["kart", "estimate", 25],
    ["other", "too-few", 0],
  ]);
});
