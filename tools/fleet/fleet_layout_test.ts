import assert from "node:assert/strict";
import { FLEET_CLIENT_PORT, FLEET_DRAIN_DELAY_MS, FLEET_STATS_PORT, fleetEdges } from "./fleet_layout.ts";
import { DEFAULT_CHECKS, rotationExitMs } from "./haproxy_config.ts";

Deno.test("fleetEdges() gives each edge its own client and admin port, apart from the balancer's and the dev edge's", () => {
  const edges = fleetEdges(32);
  const ports = edges.flatMap((edge) => [edge.port, edge.adminPort]);
  assert.equal(new Set(ports).size, 64);
  for (const taken of [FLEET_CLIENT_PORT, FLEET_STATS_PORT, 8787, 8788, 8789]) assert.ok(!ports.includes(taken));
  assert.deepEqual(edges[0], { index: 1, name: "edge-1", port: 8801, adminPort: 8901 });
});

Deno.test("a fleet edge keeps serving while draining for longer than HAProxy takes to drop it from rotation", () => {
  assert.ok(FLEET_DRAIN_DELAY_MS > rotationExitMs(DEFAULT_CHECKS));
});
