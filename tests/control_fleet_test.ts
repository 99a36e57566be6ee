/**
 * The fleet: an update posted to one edge reaches the others through the compacted routes topic,
 * and a forged record on that topic is ignored by every edge.
 */
import assert from "node:assert/strict";
import { KAFKA_CLIENTS, kafkaAdapters, ROUTES_RECORD_KEY } from "../src/kafka/mod.ts";
import { type EdgeProcess, ownFleetTopics, startEdgeProcess } from "./support/edge_process.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

async function routes(edge: EdgeProcess) {
  return await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`)).json();
}

/** Polls `edge` until it reports `version`; returns the ms it took. */
async function waitForVersion(edge: EdgeProcess, version: number, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  while ((await routes(edge)).version !== version) {
    if (performance.now() - started > timeoutMs) throw new Error(`${edge.edgeId} never reported version ${version}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

/** Waits until the edge's fleet consumer is running (it logs "route map topic started"). */
async function fleetStarted(edge: EdgeProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!edge.logs.some((l) => l.msg === "route map topic started")) {
    if (Date.now() > deadline) throw new Error(`${edge.edgeId}: route map topic never started`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] two edges converge on an update posted to one of them; a forged record on the topic is ignored`, async (t) => {
    const ops = await makeSigningKey(`ops-fleet-${crypto.randomUUID().slice(0, 6)}`);
    const mallory = await makeSigningKey(ops.id);
    const topics = ownFleetTopics();
    const topic = topics.VELTRIX_ROUTES_TOPIC;
    const env = { ...topics, VELTRIX_TRUSTED_KEYS: ops.trustEntry, VELTRIX_KAFKA_CLIENT: client };
    const [a, b] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    try {
      await Promise.all([fleetStarted(a), fleetStarted(b)]);

      await t.step("an update posted to edge A is reported by edge B", async () => {
        const posted = performance.now();
        const response = await fetch(`http://127.0.0.1:${a.adminPort}/v1/routes`, {
          method: "POST",
          headers: { "content-type": "application/x-protobuf" },
          body: signedBytes(await signRouteMap(ops, simpleMap(5n))),
        });
        const answer = await response.json();
        assert.equal(response.status, 200, JSON.stringify(answer));
        assert.equal(answer.published, true);
        await waitForVersion(b, 5);
        const convergedMs = performance.now() - posted;
        console.log(`convergence: edge B reported version 5 ${convergedMs.toFixed(1)} ms after the POST to edge A`);
        const onB = await routes(b);
        assert.equal(onB.source, "topic");
        assert.equal(onB.keyId, ops.id);
        assert.equal((await routes(a)).version, 5);
      });

      await t.step(
        "a forged record (same key id, wrong key) with a higher version is ignored and counted",
        async () => {
          const forger = (await kafkaAdapters(client, [testBrokers()], SILENT))("forger");
          await forger.connect();
          try {
            const forged = signedBytes(await signRouteMap(mallory, simpleMap(1000n, "attacker.topic")));
            await forger.produce([{ topic, key: ROUTES_RECORD_KEY, value: forged, headers: {} }], 10_000);
          } finally {
            await forger.close();
          }
          // A later genuine update proves both edges have read past the forged record.
          const response = await fetch(`http://127.0.0.1:${a.adminPort}/v1/routes`, {
            method: "POST",
            headers: { "content-type": "application/x-protobuf" },
            body: signedBytes(await signRouteMap(ops, simpleMap(6n))),
          });
          assert.equal(response.status, 200, await response.text());
          await waitForVersion(b, 6);
          await waitForVersion(a, 6);
          for (const edge of [a, b]) {
            const stats = (await routes(edge)).stats;
            assert.equal(stats.topicIgnored.forged, 1, `${edge.edgeId} counted the forged record`);
            const edgeInfo = await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/edge`)).json();
            assert.ok(!edgeInfo.topics.includes("attacker.topic"));
          }
        },
      );

      await t.step("a late edge reads the topic from the beginning and starts on the latest version", async () => {
        const c = await startEdgeProcess(env);
        try {
          await fleetStarted(c);
          await waitForVersion(c, 6);
          assert.equal((await routes(c)).stats.topicIgnored.forged, 1);
        } finally {
          await c.stop();
        }
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
}
