/**
 * A reload storm: 10 signed updates per second while clients send steadily. No event is lost, and
 * no event is routed by a half-built table: every record's `veltrix-route-version` names a map
 * that sends it to the topic it is in. Ack latency with and without the storm is printed.
 */
import assert from "node:assert/strict";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";

const CLIENTS = 4;
const FRAME = 10;
const FRAME_EVERY_MS = 20;
const CALM_MS = 2_000;
const STORM_UPDATES = 30;
const UPDATE_EVERY_MS = 100;

Deno.test("reload storm: 10 updates/s during steady traffic lose nothing and never misroute", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const topicFor = (version: bigint) => `storm.${run}.${version % 2n === 0n ? "even" : "odd"}`;
  const ops = await makeSigningKey("ops-storm");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry });
  const maps = await Promise.all(
    Array.from({ length: STORM_UPDATES + 1 }, async (_, i) => {
      const version = BigInt(i + 2);
      return { version, body: signedBytes(await signRouteMap(ops, simpleMap(version, topicFor(version)))) };
    }),
  );
  const post = async (body: Uint8Array<ArrayBuffer>) => {
    const response = await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body,
    });
    const answer = await response.json();
    assert.equal(response.status, 200, JSON.stringify(answer));
    return answer as { applyMs: number };
  };
  // The first update creates the even topic; the first update of the storm creates the odd one.
  await post(maps[0]!.body);

  const clients = await Promise.all(
    Array.from(
      { length: CLIENTS },
      async (_, c) => IngestClient.connect(edge.ingestUrl, await playerToken(`storm-${run}-${c}`)),
    ),
  );
  const sentAt = new Map<string, { at: number; storm: boolean }>();
  let storm = false;
  let sequence = 0;
  const traffic = setInterval(() => {
    clients.forEach((client, c) => {
      const events = Array.from({ length: FRAME }, () => ({ id: `${run}-${c}-${sequence++}`, type: "player.moved" }));
      const at = performance.now();
      for (const event of events) sentAt.set(event.id, { at, storm });
      client.sendJson(events);
    });
  }, FRAME_EVERY_MS);
  const applyMs: number[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, CALM_MS));
    storm = true;
    const stormStarted = performance.now();
    for (let i = 1; i <= STORM_UPDATES; i++) {
      applyMs.push((await post(maps[i]!.body)).applyMs);
      const next = stormStarted + i * UPDATE_EVERY_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
  } finally {
    clearInterval(traffic);
  }
  try {
    const ids = [...sentAt.keys()];
    await Promise.all(
      clients.map((client, c) => client.waitForAcks(ids.filter((id) => id.startsWith(`${run}-${c}-`)), 60_000)),
    );
    for (const client of clients) assert.equal(client.rejected.size, 0);

    const records = [
      ...await readTopic(testBrokers(), topicFor(2n), since),
      ...await readTopic(testBrokers(), topicFor(3n), since),
    ].filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${run}-`));
    const seen = new Map<string, number>();
    for (const record of records) {
      const id = record.headers["veltrix-event-id"]!;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const version = BigInt(record.headers["veltrix-route-version"]!);
      assert.ok(version >= 2n && version <= BigInt(STORM_UPDATES + 2), `version ${version} was applied`);
      assert.equal(record.topic, topicFor(version), `${id} went where map ${version} sends it`);
    }
    const missing = ids.filter((id) => !seen.has(id));
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    assert.deepEqual({ missing: missing.length, duplicated }, { missing: 0, duplicated: 0 });
    const versionsUsed = new Set(records.map((r) => r.headers["veltrix-route-version"]));
    assert.ok(versionsUsed.size > 10, `traffic was routed by many versions (${versionsUsed.size})`);

    const latency = (inStorm: boolean) => {
      const values: number[] = [];
      for (const [id, sent] of sentAt) {
        if (sent.storm !== inStorm) continue;
        const acked = clients.map((client) => client.acked.get(id)).find((at) => at !== undefined);
        if (acked !== undefined) values.push(acked - sent.at);
      }
      values.sort((x, y) => x - y);
      const q = (p: number) => values[Math.min(values.length - 1, Math.floor(p * values.length))]!.toFixed(1);
      return `${values.length} events, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${values.at(-1)!.toFixed(1)} ms`;
    };
    applyMs.sort((x, y) => x - y);
    console.log(
      `reload storm: ${STORM_UPDATES} updates, apply p50 ${applyMs[applyMs.length >> 1]} ms, max ${applyMs.at(-1)} ms`,
    );
    console.log(`ack latency without storm: ${latency(false)}`);
    console.log(`ack latency during storm:  ${latency(true)}`);
    console.log(`route versions seen on records: ${versionsUsed.size}`);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await edge.stop();
  }
});
