/**
 * A replication factor the cluster cannot meet is a start-up error: the edge says so and exits 2,
 * instead of retrying forever or writing to a topic with fewer copies.
 */
import assert from "node:assert/strict";
import { KAFKA_CLIENTS } from "../src/kafka/mod.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] an edge whose topics need more replicas than the cluster has brokers exits 2 with REPLICATION_FACTOR_UNMET`, async () => {
    // A last known good map with a topic no one has created, so the edge must create it at start.
    const stateDir = await Deno.makeTempDir({ prefix: "veltrix-rf-" });
    const ops = await makeSigningKey("ops-rf");
    const topic = `test.rf-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.writeFile(`${stateDir}/route-map.signed.pb`, signedBytes(await signRouteMap(ops, simpleMap(3n, topic))));
    try {
      const edge = await startEdgeProcess({
        VELTRIX_KAFKA_CLIENT: client,
        VELTRIX_STATE_DIR: stateDir,
        VELTRIX_TRUSTED_KEYS: ops.trustEntry,
        VELTRIX_TOPIC_REPLICATION_FACTOR: "10",
      }, { waitReady: false });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const code = await Promise.race([
        edge.exited,
        new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error("edge kept running")), 30_000)),
      ]).finally(() => clearTimeout(timer));
      await edge.stop();
      assert.equal(code, 2);
      const refusal = edge.logs.find((l) => l.msg === "edge could not start");
      assert.equal(refusal?.code, "REPLICATION_FACTOR_UNMET", JSON.stringify(edge.logs.slice(-5)));
      assert.match(String(refusal?.error), new RegExp(`${topic.replaceAll(".", "\\.")}.*replication factor 10`));
      assert.ok(!edge.logs.some((l) => l.msg === "edge ready"), "the edge never reported ready");
    } finally {
      await Deno.remove(stateDir, { recursive: true });
    }
  });
}
