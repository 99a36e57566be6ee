/**
 * Produce lanes (`VELTRIX_PRODUCE_LANES`) on a real edge and the real broker. With `tenant`, each
 * tenant the map lists writes through a Kafka producer of its own: Kafka's own DescribeProducers
 * (TransactionsCommand) sees one producer id per lane on a one-partition topic all of them write
 * to, and one with `shared`; a map that drops a tenant closes its producer once its connection
 * closed. A tenant whose topic was deleted under the edge gets its events refused
 * (KAFKA_WRITE_FAILED) while another tenant's are all acked. A connection open before a map that
 * lists its tenant is held to that tenant's quota, counted under it and moved to its lane, its
 * acked events all in Kafka in the order sent. (A write that never settles, on one
 * lane only, is `src/edge/ingest/produce_lanes_test.ts`'s: a single Kafka 4.4 broker writes even
 * to a topic that asks for more in-sync replicas than it has.)
 */
import assert from "node:assert/strict";
import { readTopic } from "./support/kcat_reader.ts";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { runKafkaTool } from "./support/kafka_tool.ts";
import {
  makeSigningKey,
  signedBytes,
  signRouteMap,
  type TestSigningKey,
} from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";
import { tenantEdgeEnv } from "./support/tenant_traffic.ts";

type MapInit = Parameters<typeof signRouteMap>[1];

async function applyMap(edge: EdgeProcess, ops: TestSigningKey, map: MapInit): Promise<void> {
  const applied = await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: signedBytes(await signRouteMap(ops, map)),
  });
  assert.equal(applied.status, 200, await applied.text());
}

async function metricsOf(edge: EdgeProcess): Promise<string> {
  return await (await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`)).text();
}

/** The producer ids Kafka knows for partition 0 of `topic` (DescribeProducers). */
async function producerIds(topic: string): Promise<Set<string>> {
  const out = await runKafkaTool("TransactionsCommand", testBrokers(), [
    "describe-producers",
    "--topic",
    topic,
    "--partition",
    "0",
  ]);
  assert.ok(out.success, out.stderr);
  return new Set(
    out.stdout.split("\n").slice(1).map((line) => line.trim().split(/\s+/)[0]!).filter((id) => /^\d+$/.test(id)),
  );
}

for (
  const [client, lanes, producers] of [
    ["platformatic", "tenant", 3],
    ["kafkajs", "tenant", 3],
    ["platformatic", "shared", 1],
  ] as const
) {
  Deno.test(`produce lanes ${lanes} (${client}): two listed tenants and other write through ${producers} producer(s)`, async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const topic = `game.lanes-${run}`;
    const ops = await makeSigningKey("ops-lanes");
    const edge = await startEdgeProcess({
      VELTRIX_TRUSTED_KEYS: ops.trustEntry,
      VELTRIX_TENANT_CLAIM: "game",
      VELTRIX_PRODUCE_LANES: lanes,
      VELTRIX_KAFKA_CLIENT: client,
      VELTRIX_TOPIC_PARTITIONS: "1",
    });
    const clients: IngestClient[] = [];
    try {
      await applyMap(edge, ops, {
        version: 2n,
        routes: [{ name: "all", match: "*", targets: [{ topic }] }],
        tenants: [{ name: "alpha" }, { name: "beta" }],
      });
      // The lanes open when the map is applied, before any tenant's first event.
      assert.match(await metricsOf(edge), new RegExp(`^veltrix_kafka_producers ${producers}$`, "m"));
      const ids: string[] = [];
      for (const game of ["alpha", "beta", `unlisted-${run}`]) {
        const player = await IngestClient.connect(edge.ingestUrl, await playerToken(`${game}-${run}`, { game }));
        clients.push(player);
        const sent = Array.from({ length: 5 }, (_, i) => `${run}-${game}-${i}`);
        ids.push(...sent);
        player.sendJson(sent.map((id) => ({ id, type: "match.tick" })));
        await player.waitForAcks(sent);
      }
      const landed = (await readTopic(testBrokers(), topic, Date.now() - 60_000)).map((r) =>
        r.headers["veltrix-event-id"]
      );
      assert.deepEqual(landed.sort(), [...ids].sort());
      assert.equal((await producerIds(topic)).size, producers);
      const metrics = await metricsOf(edge);
      for (const tenant of ["alpha", "beta", "other"]) {
        assert.match(metrics, new RegExp(`^veltrix_tenant_ack_seconds_count\\{tenant="${tenant}"\\} 5$`, "m"));
      }

      // A map without beta: once beta's connection closed and nothing of it is pending, its producer closes.
      await clients[1]!.close();
      await applyMap(edge, ops, {
        version: 3n,
        routes: [{ name: "all", match: "*", targets: [{ topic }] }],
        tenants: [{ name: "alpha" }],
      });
      const left = lanes === "tenant" ? producers - 1 : producers;
      const deadline = Date.now() + 15_000;
      while (!new RegExp(`^veltrix_kafka_producers ${left}$`, "m").test(await metricsOf(edge))) {
        assert.ok(Date.now() < deadline, `beta's lane never closed: ${await metricsOf(edge)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const closed = edge.logs.filter((line) => line.msg === "produce lane closed").map((line) => line.tenant);
      assert.deepEqual(closed, lanes === "tenant" ? ["beta"] : []);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await edge.stop();
    }
  });
}

Deno.test("produce lanes tenant: a tenant whose topic cannot be written does not cost another tenant its acks", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const topic = `game.broken-${run}`;
  const brokenPrefix = `broken-${run}.`;
  const ops = await makeSigningKey("ops-lanes-broken");
  const edge = await startEdgeProcess({
    VELTRIX_TRUSTED_KEYS: ops.trustEntry,
    VELTRIX_TENANT_CLAIM: "game",
    VELTRIX_PRODUCE_LANES: "tenant",
  });
  const clients: IngestClient[] = [];
  try {
    await applyMap(edge, ops, {
      version: 2n,
      routes: [{ name: "all", match: "*", targets: [{ topic }] }],
      tenants: [{ name: "broken", topicPrefix: brokenPrefix }, { name: "quiet" }],
    });
    // The broken tenant's topic goes away under the edge (the broker creates no topic on a write).
    const deleted = await runKafkaTool("TopicCommand", testBrokers(), [
      "--delete",
      "--topic",
      `${brokenPrefix}${topic}`,
    ]);
    assert.ok(deleted.success, deleted.stderr);
    const connect = async (game: string) => {
      const client = await IngestClient.connect(edge.ingestUrl, await playerToken(`${game}-${run}`, { game }));
      clients.push(client);
      return client;
    };
    const quiet = await connect("quiet");
    const broken = await connect("broken");
    const brokenIds = Array.from({ length: 5 }, (_, i) => `${run}-broken-${i}`);
    broken.sendJson(brokenIds.map((id) => ({ id, type: "match.tick" })));
    const quietIds = Array.from({ length: 20 }, (_, i) => `${run}-quiet-${i}`);
    for (let i = 0; i < quietIds.length; i += 5) {
      const frame = quietIds.slice(i, i + 5);
      quiet.sendJson(frame.map((id) => ({ id, type: "match.tick" })));
      await quiet.waitForAcks(frame);
    }
    await broken.waitFor(() => brokenIds.every((id) => broken.rejected.has(id) || broken.acked.has(id)), 60_000);

    assert.equal(quiet.rejected.size, 0, JSON.stringify([...quiet.rejected.values()]));
    assert.deepEqual(new Set([...broken.rejected.values()].map((r) => r.code)), new Set(["KAFKA_WRITE_FAILED"]));
    assert.equal(brokenIds.filter((id) => broken.acked.has(id)).length, 0);
    const landed = (await readTopic(testBrokers(), topic, Date.now() - 60_000)).map((r) =>
      r.headers["veltrix-event-id"]
    );
    assert.deepEqual(landed.sort(), [...quietIds].sort());
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await edge.stop();
  }
});

Deno.test("an open connection follows a map that lists its tenant anew: held to the new quota, counted and written under it", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const topic = `game.relabel-${run}`;
  const ops = await makeSigningKey("ops-lanes-relabel");
  const edge = await startEdgeProcess({
    ...tenantEdgeEnv(ops),
    VELTRIX_PRODUCE_LANES: "tenant",
    VELTRIX_TOPIC_PARTITIONS: "1",
  });
  let client: IngestClient | undefined;
  try {
    const routes = [{ name: "all", match: "*", targets: [{ topic }] }];
    await applyMap(edge, ops, { version: 2n, routes, tenants: [{ name: "h" }] });
    client = await IngestClient.connect(edge.ingestUrl, await playerToken(`g-${run}`, { game: "g" }));
    const before = Array.from({ length: 5 }, (_, i) => `${run}-before-${i}`);
    client.sendJson(before.map((id) => ({ id, type: "match.tick" })));
    await client.waitForAcks(before);
    assert.match(await metricsOf(edge), /^veltrix_tenant_connections\{tenant="other"\} 1$/m);

    // g is listed now, with 20 events per second (bursts of 40): the same open connection is held to it.
    await applyMap(edge, ops, { version: 3n, routes, tenants: [{ name: "h" }, { name: "g", eventsPerSecond: 20 }] });
    const metrics = await metricsOf(edge);
    assert.match(metrics, /^veltrix_tenant_connections\{tenant="g"\} 1$/m);
    assert.match(metrics, /^veltrix_tenant_connections\{tenant="other"\} 0$/m);
    const after = Array.from({ length: 100 }, (_, i) => `${run}-after-${i}`);
    client.sendJson(after.map((id) => ({ id, type: "match.tick" })));
    const sent = client;
    await sent.waitFor(() => after.every((id) => sent.acked.has(id) || sent.rejected.has(id)));
    const refused = after.filter((id) => sent.rejected.has(id));
    assert.ok(refused.length >= 100 - 41, `only ${refused.length} of 100 refused beyond a burst of 40`);
    assert.deepEqual(new Set(refused.map((id) => sent.rejected.get(id)!.code)), new Set(["OVERLOADED"]));
    assert.match(await metricsOf(edge), /^veltrix_tenant_events_total\{tenant="g",outcome="over_quota"\} [1-9]/m);

    // Every acked event is in Kafka, once, in the order it was sent (one partition, over both lanes).
    const acked = [...before, ...after.filter((id) => sent.acked.has(id))];
    const landed = (await readTopic(testBrokers(), topic, Date.now() - 60_000)).map((r) =>
      r.headers["veltrix-event-id"]
    );
    assert.deepEqual(landed, acked);
    // Its events went through two producers: other's lane before the map, g's own after it.
    assert.equal((await producerIds(topic)).size, 2);
  } finally {
    await client?.close();
    await edge.stop();
  }
});
