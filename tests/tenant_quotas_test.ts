/**
 * Per-game quotas on a real edge and the real broker: tenants come from the player token's claim
 * (`VELTRIX_TENANT_CLAIM`) and their quotas from the signed route map. A flooding tenant is held
 * to its events per second with OVERLOADED and a retry hint while a quiet tenant's events are all
 * acked and land once, under its topic prefix (kcat reads them back); a tenant's connection cap
 * refuses its next upgrade and no other tenant's; 1,000 unknown tenant values all count as
 * "other", so the metrics' tenant labels stay the listed tenants plus "other". `deno task routes
 * status` lists the tenants and their quotas.
 */
import assert from "node:assert/strict";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";
import { tryUpgrade } from "./support/upgrade_status.ts";
import { routesTask } from "./support/routes_task.ts";

const FLOOD_RATE = 100;

Deno.test("a flooding tenant is held to its quota while another tenant's events are all acked, and labels stay bounded", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const topic = `game.quota-${run}`;
  const quietPrefix = `quiet-${run}.`;
  const ops = await makeSigningKey("ops-quotas");
  const edge = await startEdgeProcess({
    VELTRIX_TRUSTED_KEYS: ops.trustEntry,
    VELTRIX_TENANT_CLAIM: "game",
    VELTRIX_RATE_PER_CONNECTION: "100000",
    VELTRIX_RATE_PER_PLAYER: "100000",
  });
  const clients: IngestClient[] = [];
  try {
    const applied = await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: signedBytes(
        await signRouteMap(ops, {
          version: 2n,
          routes: [{ name: "all", match: "*", targets: [{ topic }] }],
          tenants: [
            { name: "flood", eventsPerSecond: FLOOD_RATE, maxConnections: 2 },
            { name: "quiet", eventsPerSecond: 10_000, topicPrefix: quietPrefix },
          ],
          otherTenants: { maxConnections: 20 },
        }),
      ),
    });
    assert.equal(applied.status, 200, await applied.text());
    const status = await routesTask("status", "--admin", `http://127.0.0.1:${edge.adminPort}`);
    assert.equal(status.code, 0, status.stderr);
    const table = status.stdout.split("\n").map((line) => line.trimEnd());
    const header = table.findIndex((line) => /^TENANT\s+EVENTS\/S\s+CONNECTIONS\s+BYTES\/S\s+TOPIC PREFIX$/.test(line));
    assert.ok(header !== -1, status.stdout);
    assert.deepEqual(table.slice(header + 1, header + 5).map((line) => line.split(/\s{2,}/)), [
      ["flood", String(FLOOD_RATE), "2", "no limit", "-"],
      ["quiet", "10000", "no limit", "no limit", quietPrefix],
      ["other", "no limit", "20", "no limit", "-"],
      ['2 tenants listed, the rest share "other" (quotas per edge)'],
    ]);

    const connect = async (player: string, game: string) => {
      const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player, { game }));
      clients.push(client);
      return client;
    };
    const flood = await connect(`flooder-${run}`, "flood");
    const quiet = await connect(`quiet-${run}`, "quiet");

    // The flooding tenant sends 40 frames of 50 events, each as soon as the last is answered.
    const floodIds: string[] = [];
    const started = performance.now();
    const flooding = (async () => {
      for (let f = 0; f < 40; f++) {
        const ids = Array.from({ length: 50 }, (_, i) => `${run}-flood-${f}-${i}`);
        floodIds.push(...ids);
        flood.sendJson(ids.map((id) => ({ id, type: "match.tick", data: { f } })));
        await flood.waitFor(() => ids.every((id) => flood.acked.has(id) || flood.rejected.has(id)));
      }
    })();
    // Meanwhile the quiet tenant sends 10 frames of 10 events.
    const quietIds: string[] = [];
    for (let f = 0; f < 10; f++) {
      const ids = Array.from({ length: 10 }, (_, i) => `${run}-quiet-${f}-${i}`);
      quietIds.push(...ids);
      quiet.sendJson(ids.map((id) => ({ id, type: "match.tick", data: { f } })));
      await quiet.waitForAcks(ids);
    }
    await flooding;
    const elapsedS = (performance.now() - started) / 1000;

    assert.equal(quiet.rejected.size, 0, JSON.stringify([...quiet.rejected.values()].slice(0, 3)));
    assert.equal(quietIds.filter((id) => quiet.acked.has(id)).length, quietIds.length);
    const floodAcked = floodIds.filter((id) => flood.acked.has(id)).length;
    const refused = [...flood.rejected.values()] as { code: string; retryAfterMs?: number }[];
    assert.equal(floodAcked + refused.length, floodIds.length);
    assert.ok(refused.length > 0, "the flooding tenant was refused");
    assert.deepEqual(new Set(refused.map((r) => r.code)), new Set(["OVERLOADED"]));
    assert.ok(refused.every((r) => (r.retryAfterMs ?? 0) > 0), "every refusal says when to retry");
    // Held to its quota: a burst of twice the rate, then the rate, over the time it flooded.
    assert.ok(
      floodAcked <= 2 * FLOOD_RATE + Math.ceil(FLOOD_RATE * elapsedS) + 1,
      `${floodAcked} acked in ${elapsedS.toFixed(2)} s`,
    );

    // The flooding tenant's connection cap is 2: the third is refused, another tenant's is not.
    await connect(`flooder-2-${run}`, "flood");
    const third = await tryUpgrade(
      `${edge.ingestUrl}?token=${await playerToken(`flooder-3-${run}`, { game: "flood" })}`,
    );
    assert.equal(third.status, 503, third.body);
    assert.match(third.body, /TOO_MANY_CONNECTIONS/);
    assert.match(third.body, /tenant flood/);
    const quietToo = await tryUpgrade(
      `${edge.ingestUrl}?token=${await playerToken(`quiet-2-${run}`, { game: "quiet" })}`,
    );
    assert.equal(quietToo.status, 101);

    // 20 unknown tenants connect and send (they share "other", capped at 20 connections) ...
    for (let i = 0; i < 20; i++) {
      const client = await connect(`stranger-${i}-${run}`, `unknown-game-${run}-${i}`);
      client.sendJson([{ id: `${run}-stranger-${i}`, type: "match.tick" }]);
      await client.waitForAcks([`${run}-stranger-${i}`]);
    }
    // ... and 1,000 more unknown tenant values are refused as "other", whatever they say.
    let refusedOthers = 0;
    for (let i = 0; i < 1_000; i++) {
      const token = await playerToken(`late-${i}-${run}`, { game: `late-game-${run}-${i}` });
      const answer = await tryUpgrade(`${edge.ingestUrl}?token=${token}`);
      if (answer.status === 503 && answer.body.includes("tenant other")) refusedOthers++;
    }
    assert.equal(refusedOthers, 1_000);

    const metrics = await (await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`)).text();
    const labels = new Set([...metrics.matchAll(/^veltrix_tenant_\w+\{[^}]*tenant="([^"]*)"/gm)].map((m) => m[1]));
    assert.deepEqual([...labels].sort(), ["flood", "other", "quiet"]);
    assert.match(metrics, new RegExp(`veltrix_tenant_connections\\{tenant="other"\\} 20`));
    assert.match(metrics, /veltrix_tenant_events_total\{tenant="flood",outcome="over_quota"\} [1-9]/);

    // kcat: the quiet tenant's events are in its prefixed topic, each once; the flood's admitted ones in the map's.
    const quietRecords = (await readTopic(testBrokers(), `${quietPrefix}${topic}`, since))
      .map((r) => r.headers["veltrix-event-id"]);
    assert.deepEqual(quietRecords.sort(), [...quietIds].sort());
    const floodRecords = (await readTopic(testBrokers(), topic, since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${run}-flood-`));
    assert.equal(floodRecords.length, floodAcked);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await edge.stop();
  }
});
