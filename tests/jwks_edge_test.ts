/**
 * On a real edge configured with VELTRIX_JWT_ISSUERS: an RS256 token from the key a local JWKS
 * server publishes is upgraded and its event acked; a token from an issuer not on the list gets
 * 401; the metrics show the fetch. With the JWKS server down at start the edge is not ready, and
 * `/readyz` says why.
 */
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import WebSocket from "ws";
import { startEdgeProcess } from "./support/edge_process.ts";
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
