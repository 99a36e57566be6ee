/**
 * Route updates on a real edge: every answer of `POST /v1/routes`, an update that changes where
 * new events go, and a restart (with Kafka unreachable) that keeps the last applied map.
 */
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { RoutedEventSchema } from "../src/gen/veltrix/v1/event_pb.ts";
import { readTopic } from "../tools/kafka/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signedJson, signRouteMap, simpleMap } from "./support/route_signing.ts";
import { playerToken } from "./support/tokens.ts";

async function post(adminPort: number, body: string | Uint8Array, contentType: string) {
  const response = await fetch(`http://127.0.0.1:${adminPort}/v1/routes`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: body as BodyInit,
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("POST /v1/routes answers every outcome with its status, and only a good update changes the map", async (t) => {
  const ops = await makeSigningKey("ops-a");
  const stranger = await makeSigningKey("stranger");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry, VELTRIX_ROUTE_UPDATE_MAX_BYTES: "4096" });
  const version = async () => (await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`)).json()).version;
  try {
    await t.step("200 for a signed binary map, with version, route count and apply time", async () => {
      const answer = await post(
        edge.adminPort,
        signedBytes(await signRouteMap(ops, simpleMap(2n))),
        "application/x-protobuf",
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.version, 2);
      assert.equal(answer.body.routes, 2);
      assert.equal(typeof answer.body.applyMs, "number");
      assert.equal(await version(), 2);
    });
    await t.step("200 for the JSON form", async () => {
      const answer = await post(edge.adminPort, signedJson(await signRouteMap(ops, simpleMap(3n))), "application/json");
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(await version(), 3);
    });
    await t.step("400 for a body that is not a SignedRouteMap", async () => {
      const binary = await post(edge.adminPort, new Uint8Array([0xff, 0xff, 0xff]), "application/x-protobuf");
      assert.equal(binary.status, 400);
      assert.equal(binary.body.error.code, "MALFORMED_ROUTE_UPDATE");
      const json = await post(edge.adminPort, `{"routeMap":1}`, "application/json");
      assert.equal(json.status, 400);
      assert.equal(json.body.error.code, "MALFORMED_ROUTE_UPDATE");
    });
    await t.step("401 for an unknown key and for a bad signature", async () => {
      const unknown = await post(
        edge.adminPort,
        signedBytes(await signRouteMap(stranger, simpleMap(9n))),
        "application/x-protobuf",
      );
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.error.code, "UNKNOWN_SIGNING_KEY");
      const forged = await signRouteMap(stranger, simpleMap(9n));
      forged.keyId = ops.id;
      const bad = await post(edge.adminPort, signedBytes(forged), "application/x-protobuf");
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.code, "BAD_SIGNATURE");
    });
    await t.step("409 for a replay or a rollback, with the version in force", async () => {
      const replay = await post(
        edge.adminPort,
        signedBytes(await signRouteMap(ops, simpleMap(3n))),
        "application/x-protobuf",
      );
      assert.equal(replay.status, 409);
      assert.equal(replay.body.error.code, "STALE_ROUTE_MAP");
      assert.equal(replay.body.currentVersion, 3);
      const rollback = await post(
        edge.adminPort,
        signedBytes(await signRouteMap(ops, simpleMap(2n))),
        "application/x-protobuf",
      );
      assert.equal(rollback.status, 409);
    });
    await t.step("413 for a map over the size cap", async () => {
      const huge = simpleMap(10n);
      huge.routes = Array.from(
        { length: 200 },
        (_, i) => ({ name: `r${i}`, match: `t${i}.*`, targets: [{ topic: "game.treasure" }] }),
      );
      const answer = await post(edge.adminPort, signedBytes(await signRouteMap(ops, huge)), "application/x-protobuf");
      assert.equal(answer.status, 413);
      assert.equal(answer.body.error.code, "ROUTE_UPDATE_TOO_LARGE");
    });
    await t.step("422 for an invalid map, listing every problem", async () => {
      const invalid = await signRouteMap(ops, {
        version: 11n,
        routes: [
          { name: "dup", match: "a.*", targets: [{ topic: "bad topic!" }] },
          { name: "dup", match: "B*", targets: [] },
        ],
      });
      const answer = await post(edge.adminPort, signedBytes(invalid), "application/x-protobuf");
      assert.equal(answer.status, 422);
      assert.equal(answer.body.error.code, "INVALID_ROUTE_MAP");
      const paths = answer.body.problems.map((p: { path: string }) => p.path).sort();
      assert.deepEqual(paths, ["routes[0].targets[0].topic", "routes[1].match", "routes[1].name", "routes[1].targets"]);
    });
    await t.step("refused updates changed nothing", async () => {
      const current = await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`)).json();
      assert.equal(current.version, 3);
      assert.equal(current.keyId, "ops-a");
      assert.equal(current.source, "admin");
      assert.equal(current.routeMap.version, "3");
      assert.deepEqual(current.history.map((h: { version: number }) => h.version), [1, 2, 3]);
    });
    await t.step("the control endpoint is not on the client port", async () => {
      const response = await fetch(`http://127.0.0.1:${edge.port}/v1/routes`, { method: "POST", body: "{}" });
      await response.body?.cancel();
      assert.equal(response.status, 404);
    });
  } finally {
    await edge.stop();
  }
});

Deno.test("an update changes where new events go, and each record names the version that routed it", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const ops = await makeSigningKey("ops-b");
  const edge = await startEdgeProcess({ VELTRIX_TRUSTED_KEYS: ops.trustEntry });
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(`mover-${run}`));
  try {
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
