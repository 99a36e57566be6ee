/**
 * On a real edge configured with VELTRIX_JWT_ISSUERS: an RS256 token from the key a local JWKS
 * server publishes is upgraded and its event acked; a token from an issuer not on the list gets
 * 401; the metrics show the fetch. With the JWKS server down at start the edge is not ready, and
 * `/readyz` says why. Two issuers' players with the same `sub` are two players: the same event id
 * from each is acked and written for each (read back from Kafka), each has their own connection
 * cap, and a refresh token from the other issuer is refused.
 */
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import WebSocket from "ws";
import { decodeRoutedEvent } from "../src/consumer/mod.ts";
import { TREASURE_TOPIC } from "../src/core/route_map/default_route_map.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { tryUpgrade } from "./support/upgrade_status.ts";

const ISSUER = "https://id.game.test";
const AUDIENCE = "veltrix";

function issuersEnv(jwksUrl: string): string {
  return JSON.stringify([{ issuer: ISSUER, jwksUrl, audience: AUDIENCE, algorithms: ["RS256"] }]);
}

Deno.test("an edge with a JWKS URL accepts an RS256 token from the served key and refuses one from an unknown issuer", async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "game-2026-12", alg: "RS256" };
  const abort = new AbortController();
  const jwks = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    () => Response.json({ keys: [jwk] }),
  );
  const sign = (iss: string) =>
    new SignJWT({ sub: "jwks-player" }).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).setIssuer(iss)
      .setAudience(AUDIENCE).setExpirationTime("10m").sign(privateKey);
  const edge = await startEdgeProcess({
    VELTRIX_JWT_ISSUERS: issuersEnv(`http://127.0.0.1:${jwks.addr.port}/jwks.json`),
  });
  try {
    const token = await sign(ISSUER);
    const socket = new WebSocket(edge.ingestUrl, ["veltrix.v1", `veltrix.bearer.${token}`]);
    const reply = new Promise<string>((resolve, reject) => {
      socket.once("message", (data: unknown) => resolve(String(data)));
      socket.once("error", reject);
    });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    socket.send(JSON.stringify({ events: [{ id: "jwks-1", type: "treasure.collected" }] }));
    assert.deepEqual(JSON.parse(await reply), { acks: ["jwks-1"] });
    socket.close();

    const stranger = await tryUpgrade(edge.ingestUrl, { authorization: `Bearer ${await sign("https://evil.test")}` });
    assert.equal(stranger.status, 401);
    assert.match(JSON.parse(stranger.body).error.message, /issuer .* not trusted/);

    const metrics = await (await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`)).text();
    assert.match(metrics, /veltrix_jwks_fetches_total\{issuer="https:\/\/id.game.test",outcome="ok"\} [1-9]/);
    assert.match(metrics, /veltrix_jwks_keys\{issuer="https:\/\/id.game.test"\} 1/);
    assert.ok(edge.logs.some((line) => line.msg === "player keys fetched" && line.keys === 1));
  } finally {
    await edge.stop();
    abort.abort();
    await jwks.finished;
  }
});

Deno.test("an edge whose JWKS server is down at start is not ready, and /readyz says why", async () => {
  const abort = new AbortController();
  const down = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    () => new Response(),
  );
  const url = `http://127.0.0.1:${down.addr.port}/jwks.json`;
  abort.abort();
  await down.finished;
  const edge = await startEdgeProcess({ VELTRIX_JWT_ISSUERS: issuersEnv(url) }, { waitReady: false });
  try {
    // Waits for the first fetch to have failed (the condition, not a delay), then reads the answer.
    let body: { status?: string; reasons?: Record<string, string> } = {};
    for (const deadline = Date.now() + 30_000; !String(Object.values(body.reasons ?? {})).includes("cannot fetch");) {
      assert.ok(Date.now() < deadline, `readyz never said why: ${JSON.stringify(body)}`);
      const response = await fetch(`http://127.0.0.1:${edge.adminPort}/readyz`);
      assert.equal(response.status, 503);
      body = await response.json();
      await new Promise((resolve) => setTimeout(resolve, 50)); // poll interval, not a readiness check
    }
    assert.equal(body.status, "not ready");
    assert.match(body.reasons![`player keys of ${ISSUER}`]!, new RegExp(`cannot fetch ${url.replaceAll(".", "\\.")}`));
    assert.ok(edge.logs.some((line) => line.msg === "player keys fetch failed"));
  } finally {
    await edge.stop();
  }
});

Deno.test("two issuers' players with the same sub are two players: dedupe, connection cap and refresh keep them apart", async (t) => {
  const issuers = await Promise.all(["https://id.a.test", "https://id.b.test"].map(async (issuer, i) => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: `key-${i}`, alg: "RS256" };
    const sign = (sub: string) =>
      new SignJWT({ sub }).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).setIssuer(issuer)
        .setAudience(AUDIENCE).setExpirationTime("10m").sign(privateKey);
    return { issuer, jwk, sign };
  }));
  const [a, b] = issuers as [(typeof issuers)[0], (typeof issuers)[0]];
  const abort = new AbortController();
  // One server publishes each issuer's key set at a path of its own.
  const jwks = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    (request) => Response.json({ keys: [new URL(request.url).pathname === "/a.json" ? a.jwk : b.jwk] }),
  );
  const base = `http://127.0.0.1:${jwks.addr.port}`;
  const edge = await startEdgeProcess({
    VELTRIX_JWT_ISSUERS: JSON.stringify([
      { issuer: a.issuer, jwksUrl: `${base}/a.json`, audience: AUDIENCE, algorithms: ["RS256"] },
      { issuer: b.issuer, jwksUrl: `${base}/b.json`, audience: AUDIENCE, algorithms: ["RS256"] },
    ]),
    VELTRIX_MAX_CONNECTIONS_PER_PLAYER: "2",
  });
  const clients: IngestClient[] = [];
  const connect = async (token: string) => {
    const client = await IngestClient.connect(edge.ingestUrl, token);
    clients.push(client);
    return client;
  };
  try {
    const fromA = await connect(await a.sign("42"));
    const fromB = await connect(await b.sign("42"));

    await t.step("the same event id from each, within the dedupe window: both acked, both in Kafka", async () => {
      const since = Date.now() - 1_000;
      const id = `issuers-${crypto.randomUUID()}`;
      fromA.sendJson([{ id, type: "treasure.collected", data: { from: "a" } }]);
      await fromA.waitForAcks([id]);
      fromB.sendJson([{ id, type: "treasure.collected", data: { from: "b" } }]);
      await fromB.waitForAcks([id]);
      const records = (await readTopic(testBrokers(), TREASURE_TOPIC, since))
        .filter((record) => record.headers["veltrix-event-id"] === id);
      const events = records.map((record) => decodeRoutedEvent(record));
      assert.deepEqual(
        events.map((event) => JSON.stringify(event.data)).sort(),
        ['{"from":"a"}', '{"from":"b"}'],
        "each issuer's event is in Kafka, once",
      );
      assert.deepEqual(events.map((event) => event.player), ["42", "42"], "records carry the bare sub");
      assert.deepEqual(records.map((record) => record.key), ["42", "42"], "and keep the player's partition key");
    });

    await t.step("each issuer's player has their own connection cap", async () => {
      // The cap is 2 and "42" holds two connections, one per issuer: issuer A's 42 may open a second.
      await connect(await a.sign("42"));
      const third = await tryUpgrade(edge.ingestUrl, { authorization: `Bearer ${await a.sign("42")}` });
      assert.equal(third.status, 429, "a third connection of issuer A's 42 is over the cap of 2");
      assert.equal(JSON.parse(third.body).error.code, "TOO_MANY_PLAYER_CONNECTIONS");
    });

    await t.step("a refresh must come from the issuer the connection opened with", async () => {
      fromB.sendRaw(JSON.stringify({ token: await b.sign("42") }));
      await fromB.waitFor(() => fromB.replies.some((reply) => reply.session !== undefined), 15_000, "a session");
      fromB.sendRaw(JSON.stringify({ token: await a.sign("42") }));
      await fromB.waitFor(() => fromB.replies.some((reply) => reply.error !== undefined), 15_000, "an error");
      const { error } = fromB.replies.find((reply) => reply.error !== undefined)!;
      assert.equal(error!.code, "UNAUTHORIZED");
      assert.match(error!.message, /another issuer than the connection's token/);
      assert.deepEqual(await fromB.closed, { code: 4003, reason: "UNAUTHORIZED" });
    });
  } finally {
    for (const client of clients) await client.close();
    await edge.stop();
    abort.abort();
    await jwks.finished;
  }
});
