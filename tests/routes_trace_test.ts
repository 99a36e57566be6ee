/**
 * `deno task routes trace` on the real broker, with the task's own permissions: it finds every
 * topic, partition and offset that holds an event routed by a real edge, and says whether the map
 * in force would still send it there, before and after a route update.
 */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { waitForKafka } from "./support/kafka_ready.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";
import { routesTask } from "./support/routes_task.ts";

const routes = routesTask;

Deno.test("routes trace finds where an event went, and whether the map in force would still send it there", async () => {
  await waitForKafka();
  const ops = await makeSigningKey("trace-ops");
  const edge = await startEdgeProcess({
    VELTRIX_TRUSTED_KEYS: ops.trustEntry,
  });
  try {
    const id = `trace-${crypto.randomUUID().slice(0, 8)}`;
    const client = await IngestClient.connect(edge.ingestUrl, await playerToken("trace-player"));
    client.sendJson([{ id, type: "treasure.collected", data: { chest: 3 } }]);
    await client.waitForAcks([id]);
    await client.close();
    const admin = `http://127.0.0.1:${edge.adminPort}`;

    const before = await routes("trace", id, "--since", "5m", "--admin", admin);
    assert.equal(before.code, 0, before.stderr);
    console.log(`deno task routes trace ${id} --since 5m --admin ${admin}\n${before.stdout}`);
    const lines = before.stdout.split("\n");
    assert.equal(lines[0], `event ${id} (treasure.collected): 2 record(s) since 5m ago`);
    assert.match(
      lines[1]!,
      /^ {2}game\.leaderboard \d+\/\d+ {2}player trace-player, edge test-edge-\w+, route v1, .* still sent here by v1: yes$/,
    );
    assert.match(lines[2]!, /^ {2}game\.treasure \d+\/\d+ .* still sent here by v1: yes$/);

    // Version 2 stops sending treasure.collected to the leaderboard.
    const signed = await signRouteMap(ops, {
      version: 2n,
      deadLetterTopic: "veltrix.unrouted",
      routes: [{ name: "treasure", match: "treasure.*", targets: [{ topic: "game.treasure" }] }],
    });
    const pushed = await fetch(`${admin}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: signedBytes(signed),
    });
    assert.equal(pushed.status, 200, await pushed.text());

    const after = await routes("trace", id, "--since", "5m", "--admin", admin);
    assert.equal(after.code, 0, after.stderr);
    console.log(after.stdout);
    assert.match(after.stdout, /game\.leaderboard \d+\/\d+ .* still sent here by v2: no/);
    assert.match(after.stdout, /game\.treasure \d+\/\d+ .* still sent here by v2: yes/);
    assert.match(
      after.stdout,
      /map in force: v2 \(http:\/\/127\.0\.0\.1:\d+\) sends treasure\.collected to: game\.treasure\n/,
    );

    const missing = await routes("trace", `nowhere-${id}`, "--since", "1m", "--admin", admin);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^event nowhere-trace-\w+: not found in any searched topic since 1m ago/);
  } finally {
    await edge.stop();
  }
});
