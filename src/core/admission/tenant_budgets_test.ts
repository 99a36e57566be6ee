import assert from "node:assert/strict";
import { Admission } from "./admission.ts";
import { TenantBudgets } from "./tenant_budgets.ts";
import { OTHER_TENANT, Tenancy } from "../route_map/tenancy.ts";
import { tenantQuota } from "../route_map/testing/tenant_quota.ts";

const unlimited = { ratePerConnection: Infinity, rateAbuseLimit: Infinity, maxInFlightPerConnection: Infinity };

Deno.test("a tenant over its events per second gets OVERLOADED with a retry hint; another tenant is untouched", () => {
  const budgets = new TenantBudgets();
  const flood = new Admission(
    unlimited,
    0,
    undefined,
    budgets.budgetOf(tenantQuota("flood", { eventsPerSecond: 10 }), 0),
  );
  const quiet = new Admission(
    unlimited,
    0,
    undefined,
    budgets.budgetOf(tenantQuota("quiet", { eventsPerSecond: 10 }), 0),
  );
  const codes = Array.from({ length: 25 }, (_, i) => flood.refuse(`f-${i}`, 0, 0)?.code);
  assert.equal(codes.filter((code) => code === undefined).length, 20, "a burst of twice the rate");
  assert.deepEqual(new Set(codes.slice(20)), new Set(["OVERLOADED"]));
  const refusal = flood.refuse("late", 0, 0);
  assert.equal(refusal?.code, "OVERLOADED");
  assert.ok((refusal?.retryAfterMs ?? 0) >= 10);
  assert.equal(flood.abusive, false, "over a tenant quota is not abuse");
  for (let i = 0; i < 20; i++) assert.equal(quiet.refuse(`q-${i}`, 0, 0), undefined);
  assert.equal(flood.refuse("after a second", 1_000, 0), undefined);
});

Deno.test("the connections of one tenant share its budget", () => {
  const budgets = new TenantBudgets();
  const q = tenantQuota("shared", { eventsPerSecond: 2 });
  const a = new Admission(unlimited, 0, undefined, budgets.budgetOf(q, 0));
  const b = new Admission(unlimited, 0, undefined, budgets.budgetOf(q, 0));
  assert.equal(a.refuse("1", 0, 0), undefined);
  assert.equal(b.refuse("2", 0, 0), undefined);
  assert.equal(a.refuse("3", 0, 0), undefined);
  assert.equal(b.refuse("4", 0, 0), undefined);
  assert.equal(a.refuse("5", 0, 0)?.code, "OVERLOADED");
  assert.equal(b.refuse("6", 0, 0)?.code, "OVERLOADED");
  const budget = budgets.budgetOf(q, 0);
  assert.equal(budget.admitted, 4);
  assert.equal(budget.overQuota, 2);
});

Deno.test("a tenant's byte bucket lets one frame larger than its burst through, then waits for the debt", () => {
  const budget = new TenantBudgets().budgetOf(tenantQuota("bytes", { bytesPerSecond: 100 }), 0);
  assert.equal(budget.takeBytes(500, 0), true);
  assert.equal(budget.takeBytes(1, 0), false);
  assert.equal(budget.takeBytes(1, 2_000), false, "300 bytes of debt are still being paid back");
  assert.equal(budget.takeBytes(1, 3_010), true);
  assert.equal(budget.bytes, 501);
});

Deno.test("a tenant's connection cap: full once it holds maxConnections", () => {
  const budget = new TenantBudgets().budgetOf(tenantQuota("capped", { maxConnections: 2 }), 0);
  assert.equal(budget.full, false);
  budget.connections = 2;
  assert.equal(budget.full, true);
});

Deno.test("1,000 unknown tenant values share the one budget labelled other", () => {
  const tenancy = new Tenancy([tenantQuota("acme")], tenantQuota(OTHER_TENANT, { eventsPerSecond: 5 }));
  const budgets = new TenantBudgets();
  for (let i = 0; i < 1_000; i++) budgets.budgetOf(tenancy.quotaOf(`unknown-${i}`), 0).connections++;
  budgets.budgetOf(tenancy.quotaOf("acme"), 0);
  budgets.budgetOf(tenancy.quotaOf(undefined), 0);
  const labels = [...budgets.values()].map((budget) => budget.label).sort();
  assert.deepEqual(labels, ["acme", "other"]);
  assert.equal(budgets.budgetOf(tenancy.quotaOf("unknown-1"), 0).connections, 1_000);
});

Deno.test("a budget follows a new map's quota, keeping its connections", () => {
  const budgets = new TenantBudgets();
  const before = budgets.budgetOf(tenantQuota("acme", { eventsPerSecond: 1 }), 0);
  before.connections = 3;
  assert.equal(before.takeEvent(0), true);
  assert.equal(before.takeEvent(0), true);
  assert.equal(before.takeEvent(0), false);
  const after = budgets.budgetOf(tenantQuota("acme", { eventsPerSecond: 100 }), 0);
  assert.equal(after, before);
  assert.equal(after.connections, 3);
  assert.equal(after.takeEvent(0), true, "the raised quota starts with a full bucket");
});

/** How many of `n` events one budget admits at `nowMs`. */
function admitted(budget: ReturnType<TenantBudgets["budgetOf"]>, n: number, nowMs: number): number {
  let taken = 0;
  for (let i = 0; i < n; i++) if (budget.takeEvent(nowMs)) taken++;
  return taken;
}

Deno.test("a fleet-scoped quota is divided by the live edges; an edge-scoped one is not", () => {
  const budgets = new TenantBudgets();
  budgets.share(4, 0);
  const fleet = budgets.budgetOf(tenantQuota("kart", { eventsPerSecond: 100, maxConnections: 10, scope: "fleet" }), 0);
  const edge = budgets.budgetOf(tenantQuota("hunt", { eventsPerSecond: 100, maxConnections: 10 }), 0);
  assert.deepEqual([fleet.quota.eventsPerSecond, fleet.quota.maxConnections], [25, 3]);
  assert.equal(fleet.given.eventsPerSecond, 100);
  assert.equal(admitted(fleet, 100, 0), 50, "a burst of twice the share");
  assert.deepEqual([edge.quota.eventsPerSecond, edge.quota.maxConnections], [100, 10]);
  assert.equal(admitted(edge, 300, 0), 200);
  assert.match(fleet.refuse("late", 0).message, /tenant kart is over its share of its fleet quota on this edge/);
  fleet.connections = 3;
  assert.equal(fleet.full, true, "the connection cap is this edge's share");
});

Deno.test("a change in live edges keeps the bucket's tokens, clamped to the new burst, and never refills it", () => {
  const budgets = new TenantBudgets();
  const budget = budgets.budgetOf(tenantQuota("kart", { eventsPerSecond: 100, scope: "fleet" }), 0);
  assert.equal(admitted(budget, 150, 0), 150, "alone: 150 of its burst of 200");
  budgets.share(2, 0);
  assert.equal(budget.quota.eventsPerSecond, 50);
  assert.equal(admitted(budget, 100, 0), 50, "the 50 tokens left are kept (under the new burst of 100)");
  budgets.share(1, 0);
  assert.equal(admitted(budget, 10, 0), 0, "the other edge gone: the rate rises, the empty bucket is not refilled");
  assert.equal(admitted(budget, 1_000, 1_000), 100, "and fills at the whole quota from then on");
  assert.equal(admitted(budget, 1_000, 3_000), 200, "up to the whole burst");
  budgets.share(4, 6_000);
  budgets.share(2, 6_000);
  assert.equal(
    admitted(budget, 1_000, 6_000),
    50,
    "a bucket full again is clamped to the smaller burst (50), not refilled by the rise after",
  );
});

Deno.test("a new map's fleet-scoped quota is divided by the live edges already known", () => {
  const budgets = new TenantBudgets();
  budgets.share(2, 0);
  const budget = budgets.budgetOf(tenantQuota("kart", { eventsPerSecond: 100 }), 0);
  assert.equal(budget.quota.eventsPerSecond, 100, "per edge");
  budgets.budgetOf(tenantQuota("kart", { eventsPerSecond: 100, scope: "fleet" }), 0);
  assert.equal(budget.quota.eventsPerSecond, 50, "the map turned the scope to fleet");
  assert.equal(admitted(budget, 1_000, 0), 100, "a changed rate starts with a full bucket, as on any map change");
});
