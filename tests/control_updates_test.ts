/**
 * Route updates on a real edge: an update that changes where new events go, and a restart (with
 * Kafka unreachable) that keeps the last applied map. Every answer of `POST /v1/routes`, status and
 * body, is tested in process: src/control/route_update_surfaces_test.ts (the shared cases of every
 * surface) and src/control/route_admin_routes_test.ts (what only the HTTP surface says).
 */
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { RoutedEventSchema } from "../src/gen/veltrix/v1/event_pb.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./support/tokens.ts";

async function post(adminPort: number, body: string | Uint8Array, contentType: string) {
  const response = await fetch(`http://127.0.0.1:${adminPort}/v1/routes`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: body as BodyInit,
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("an update changes where new events go, and each record names the version that routed it", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const ops = await makeSigningKey("ops-b");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry, VELTRIX_ROUTE_UPDATE_MAX_BYTES: "4096" });
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(`mover-${run}`));
  try {
    const huge = simpleMap(2n);
    huge.routes = Array.from(
      { length: 200 },
      (_, i) => ({ name: `r${i}`, match: `t${i}.*`, targets: [{ topic: "game.treasure" }] }),
    );
    const tooLarge = await post(edge.adminPort, signedBytes(await signRouteMap(ops, huge)), "application/x-protobuf");
    assert.equal(tooLarge.status, 413, "VELTRIX_ROUTE_UPDATE_MAX_BYTES caps updates");
    assert.equal(tooLarge.body.error.code, "ROUTE_UPDATE_TOO_LARGE");
    client.sendJson([{ id: `${run}-before`, type: "player.moved" }]);
    await client.waitForAcks([`${run}-before`]);
    const newTopic = `game.players-${run}`;
    const answer = await post(
      edge.adminPort,
      signedBytes(await signRouteMap(ops, simpleMap(2n, newTopic))),
      "application/x-protobuf",
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    client.sendJson([{ id: `${run}-after`, type: "player.moved" }]);
    await client.waitForAcks([`${run}-after`]);

    const old = (await readTopic(testBrokers(), "game.player-activity", since)).filter((r) =>
      r.headers["veltrix-event-id"]?.startsWith(run)
    );
    const moved = await readTopic(testBrokers(), newTopic, since);
    assert.deepEqual(old.map((r) => r.headers["veltrix-event-id"]), [`${run}-before`]);
    assert.equal(old[0]!.headers["veltrix-route-version"], "1");
    assert.deepEqual(moved.map((r) => r.headers["veltrix-event-id"]), [`${run}-after`]);
    assert.equal(moved[0]!.headers["veltrix-route-version"], "2");
    assert.equal(fromBinary(RoutedEventSchema, moved[0]!.value).routeVersion, 2n);
  } finally {
    await client.close();
    await edge.stop();
  }
});

Deno.test("a restart keeps the last applied map, even with Kafka unreachable", async () => {
  const ops = await makeSigningKey("ops-c");
  const stateDir = await Deno.makeTempDir({ prefix: "veltrix-lkg-" });
  try {
    const first = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry, VELTRIX_STATE_DIR: stateDir });
    try {
      const answer = await post(
        first.adminPort,
        signedBytes(await signRouteMap(ops, simpleMap(7n))),
        "application/x-protobuf",
      );
      assert.equal(answer.status, 200);
    } finally {
      await first.stop();
    }
    const second = await startEdgeProcess(
      { VELTRIX_TRUSTED_KEYS: ops.trustEntry, VELTRIX_STATE_DIR: stateDir, KAFKA_BROKERS: "127.0.0.1:1" },
      { waitReady: false },
    );
    try {
      const current = await (await fetch(`http://127.0.0.1:${second.adminPort}/v1/routes`)).json();
      assert.equal(current.version, 7);
      assert.equal(current.keyId, "ops-c");
      assert.equal(current.source, "state");
      const ready = await fetch(`http://127.0.0.1:${second.adminPort}/readyz`);
      await ready.body?.cancel();
      assert.equal(ready.status, 503, "not ready without Kafka, but routing by the restored map");
    } finally {
      await second.stop();
    }
    const distrusting = await startEdgeProcess(
      {
        VELTRIX_TRUSTED_KEYS: (await makeSigningKey("other")).trustEntry,
        VELTRIX_STATE_DIR: stateDir,
        KAFKA_BROKERS: "127.0.0.1:1",
      },
      { waitReady: false },
    );
    try {
      const current = await (await fetch(`http://127.0.0.1:${distrusting.adminPort}/v1/routes`)).json();
      assert.equal(current.version, 1, "a persisted map that no longer verifies falls back to the embedded default");
      assert.equal(current.source, "embedded");
      assert.ok(
        distrusting.logs.some((l) => l.msg === "last known good route map not used; routing by the embedded default"),
      );
    } finally {
      await distrusting.stop();
    }
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});
