import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { RouteMapSchema, TenantQuotaScope } from "../../gen/veltrix/v1/route_map_pb.ts";
import { tenantQuotaDifferences } from "./tenancy_diff.ts";

const routes = [{ name: "all", match: "*", targets: [{ topic: "game.all" }] }];

Deno.test("tenantQuotaDifferences() names a scope change, and nothing when the quotas are the same", () => {
  const before = create(RouteMapSchema, { version: 1n, routes, tenants: [{ name: "kart", eventsPerSecond: 2000 }] });
  const after = create(RouteMapSchema, { ...before, version: 2n, tenantQuotaScope: TenantQuotaScope.FLEET });
  assert.deepEqual(tenantQuotaDifferences(before, after), ["tenant quota scope: edge (unset) -> fleet"]);
  assert.deepEqual(tenantQuotaDifferences(after, before), ["tenant quota scope: fleet -> edge (unset)"]);
  assert.deepEqual(tenantQuotaDifferences(before, create(RouteMapSchema, { ...before, version: 2n })), []);
});

Deno.test("tenantQuotaDifferences() names tenants added, removed and changed, other included", () => {
  const before = create(RouteMapSchema, {
    version: 1n,
    routes,
    tenants: [{ name: "kart", eventsPerSecond: 2000 }, { name: "hunt", maxConnections: 5 }],
  });
  const after = create(RouteMapSchema, {
    version: 2n,
    routes,
    tenants: [{ name: "kart", eventsPerSecond: 3000, topicPrefix: "kart." }, { name: "golf", bytesPerSecond: 100 }],
    otherTenants: { eventsPerSecond: 50 },
  });
  assert.deepEqual(tenantQuotaDifferences(before, after), [
    "tenant kart: events/s 2000 -> 3000, prefix none -> kart.",
    "tenant golf: added (events/s no limit, connections no limit, bytes/s 100)",
    "tenant other: events/s no limit -> 50",
    "tenant hunt: removed",
  ]);
});
