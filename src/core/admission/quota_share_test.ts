import assert from "node:assert/strict";
import fc from "fast-check";
import { edgesSharing, quotaShare, tenantQuotasJson } from "./quota_share.ts";
import { OTHER_TENANT, Tenancy, type TenantQuota } from "../route_map/tenancy.ts";

function quota(limits: Partial<TenantQuota> = {}): TenantQuota {
  return {
    name: "kart",
    eventsPerSecond: 2000,
    maxConnections: 5,
    bytesPerSecond: Infinity,
    topicPrefix: "kart.",
    scope: "fleet",
    ...limits,
  };
}

Deno.test("quotaShare() divides a fleet quota by the live edges, rounding up, and keeps no limit as no limit", () => {
  const share = quotaShare(quota(), 3);
  assert.deepEqual(
    [share.eventsPerSecond, share.maxConnections, share.bytesPerSecond, share.topicPrefix, share.name],
    [667, 2, Infinity, "kart.", "kart"],
  );
  assert.equal(quotaShare(quota({ maxConnections: 1 }), 8).maxConnections, 1, "never 0");
});

Deno.test("quotaShare() leaves an edge quota, one live edge, and a count below 1 alone", () => {
  const edge = quota({ scope: "edge" });
  assert.equal(quotaShare(edge, 5), edge);
  const fleet = quota();
  assert.equal(quotaShare(fleet, 1), fleet);
  assert.equal(quotaShare(fleet, 0), fleet, "an edge always counts itself");
  assert.equal(quotaShare(fleet, NaN), fleet);
  assert.equal(edgesSharing("fleet", 0), 1);
  assert.equal(edgesSharing("edge", 7), 1);
});

Deno.test("quotaShare(): the fleet's shares add up to the quota, and to less than one unit per edge above it", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 500 }), (limit, edges) => {
      const share = quotaShare(quota({ eventsPerSecond: limit, maxConnections: limit }), edges);
      for (const each of [share.eventsPerSecond, share.maxConnections]) {
        assert.ok(Number.isInteger(each) && each >= 1);
        assert.ok(each * edges >= limit, "the fleet never gets less than the quota");
        assert.ok(each * edges < limit + edges, "nor one unit per edge more");
      }
    }),
  );
});

Deno.test("tenantQuotasJson() shows the scope, the live edges, the share and this edge's limits", () => {
  const other = { ...quota({ name: OTHER_TENANT, eventsPerSecond: 100, topicPrefix: "" }) };
  const json = tenantQuotasJson(new Tenancy([quota()], other), 4);
  assert.deepEqual(json, {
    scope: "fleet",
    liveEdges: 4,
    share: 0.25,
    tenants: [
      { name: "kart", eventsPerSecond: 500, maxConnections: 2, bytesPerSecond: null, topicPrefix: "kart." },
      { name: "other", eventsPerSecond: 25, maxConnections: 2, bytesPerSecond: null, topicPrefix: "" },
    ],
  });
  const edge = tenantQuotasJson(new Tenancy([quota({ scope: "edge" })], { ...other, scope: "edge" }), 4);
  assert.deepEqual([edge.scope, edge.liveEdges, edge.share, edge.tenants[0]!.eventsPerSecond], ["edge", 4, 1, 2000]);
});
