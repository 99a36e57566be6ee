import assert from "node:assert/strict";
import { tenantsTable } from "./tenants_table.ts";

Deno.test("tenantsTable() lists each tenant's quota and prefix, aligned, with other last and no limit spelled out", () => {
  const lines = tenantsTable([
    { name: "kart", eventsPerSecond: 500, maxConnections: 2000, bytesPerSecond: null, topicPrefix: "kart." },
    { name: "chess", eventsPerSecond: 50, maxConnections: null, bytesPerSecond: 65536, topicPrefix: "" },
    { name: "other", eventsPerSecond: 10, maxConnections: null, bytesPerSecond: null, topicPrefix: "" },
  ]);
  assert.deepEqual(lines, [
    "",
    "TENANT  EVENTS/S  CONNECTIONS  BYTES/S   TOPIC PREFIX",
    "kart    500       2000         no limit  kart.",
    "chess   50        no limit     65536     -",
    "other   10        no limit     no limit  -",
    '2 tenants listed, the rest share "other" (quotas per edge)',
  ]);
});

Deno.test("tenantsTable() says when no tenant is listed", () => {
  const lines = tenantsTable([
    { name: "other", eventsPerSecond: null, maxConnections: null, bytesPerSecond: null, topicPrefix: "" },
  ]);
  assert.equal(lines.at(-1), 'no tenants listed: every player is in "other" (quotas per edge)');
});

Deno.test("tenantsTable() says when the quotas hold for the fleet, and this edge's share", () => {
  const other = { name: "other", eventsPerSecond: 10, maxConnections: null, bytesPerSecond: null, topicPrefix: "" };
  assert.equal(
    tenantsTable([other], { scope: "fleet", liveEdges: 3 }).at(-1),
    'no tenants listed: every player is in "other" (quotas for the fleet: this edge enforces 1/3 of each, rounded up)',
  );
  assert.match(tenantsTable([other], { scope: "fleet", liveEdges: 1 }).at(-1)!, /the whole of each, seeing no other/);
  assert.match(tenantsTable([other], { scope: "edge", liveEdges: 3 }).at(-1)!, /\(quotas per edge\)$/);
});
