/**
 * Player tokens from a JWKS, in process: a local JWKS server (Deno.serve on port 0) that the test
 * rotates and stops, and the verifier the edge uses.
 */
import assert from "node:assert/strict";
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from "jose";
import client from "prom-client";
import { Readiness } from "../../core/ops/readiness.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { issuerCondition, JwksIssuers, type JwksSettings } from "./jwks_issuers.ts";
import { JwksMetrics } from "./jwks_metrics.ts";
import { PlayerTokenVerifier } from "./player_token.ts";
import type { TrustedIssuer } from "./trusted_issuers.ts";
import { playerIdentity } from "./player_identity.ts";

const ISSUER = "https://id.game.test";
const AUDIENCE = "veltrix-edge";
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

/** A signing key and its public JWK, with a `kid`. */
async function signingKey(kid: string, alg: "RS256" | "ES256" | "PS256" | "EdDSA" = "RS256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk };
}
type SigningKey = Awaited<ReturnType<typeof signingKey>>;

function tokenFrom(key: SigningKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  return new SignJWT({ sub: "player-1", ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .setIssuer((claims.iss as string | undefined) ?? ISSUER)
    .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
    .setExpirationTime("10m")
    .sign(key.privateKey);
}

/** A JWKS server on 127.0.0.1, port 0: `keys` is what it serves; `stop()` takes it down. */
function jwksServer(keys: JWK[]) {
  const state = { keys, fetches: 0 };
  const abort = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} }, () => {
    state.fetches++;
    return Response.json({ keys: state.keys });
  });
  return {
    state,
    url: `http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`,
    async stop() {
      abort.abort();
      await server.finished;
    },
  };
}

async function verifierFor(
  url: string,
  settings: Partial<JwksSettings> = {},
  issuer: Partial<TrustedIssuer> = {},
) {
  const readiness = new Readiness();
  const registry = new client.Registry();
  const issuers = new JwksIssuers(
    [{ issuer: ISSUER, jwksUrl: url, audience: AUDIENCE, algorithms: ["RS256", "ES256"], ...issuer }],
    {
      settings: { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 2_000, ...settings },
      readiness,
      logger: SILENT,
      observer: new JwksMetrics(registry, [ISSUER]),
    },
  );
  await issuers.start();
  const tokens = await PlayerTokenVerifier.create({ issuers, clockSkewS: 0 });
  return { tokens, readiness, registry, issuers };
}

async function refused(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VeltrixError);
    assert.equal(error.code, "UNAUTHORIZED");
    assert.match(error.message, reason);
    return true;
  });
}

Deno.test("a JWKS issuer's RS256 and ES256 tokens are accepted; a token from an issuer not on the list is refused", async () => {
  const rsa = await signingKey("rsa-1");
  const ec = await signingKey("ec-1", "ES256");
  const server = jwksServer([rsa.jwk, ec.jwk]);
  const { tokens, readiness, registry, issuers } = await verifierFor(server.url);
  try {
    assert.equal(readiness.ready, true);
    assert.equal((await tokens.verifySession(await tokenFrom(rsa))).player, "player-1");
    assert.equal(await tokens.verify(await tokenFrom(ec)), "player-1");
    await refused(tokens.verify(await tokenFrom(rsa, { iss: "https://evil.test" })), /issuer .* not trusted/);
    const metrics = await registry.metrics();
    assert.match(metrics, /veltrix_jwks_fetches_total\{issuer="https:\/\/id.game.test",outcome="ok"\} 1/);
    assert.match(metrics, /veltrix_jwks_keys\{issuer="https:\/\/id.game.test"\} 2/);
    assert.doesNotMatch(metrics, /veltrix_jwks_last_success_seconds\{[^}]*\} 0\n/);
  } finally {
    issuers.stop();
    await server.stop();
  }
});

Deno.test("a token with the wrong audience, or with alg swapped to HS256 and the public key as secret, is refused", async () => {
  const rsa = await signingKey("rsa-1");
  const server = jwksServer([rsa.jwk]);
  const { tokens, issuers } = await verifierFor(server.url);
  try {
    await refused(tokens.verify(await tokenFrom(rsa, { aud: "another-service" })), /audience/);
    // The classic confusion attack: HMAC-sign with the issuer's public key (PEM and JWK forms).
    for (const secret of [await exportSPKI(rsa.publicKey), JSON.stringify(rsa.jwk)]) {
      const forged = await new SignJWT({ sub: "player-1" })
        .setProtectedHeader({ alg: "HS256", kid: rsa.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime("10m")
        .sign(new TextEncoder().encode(secret));
      await refused(tokens.verify(forged), /algorithm/);
    }
    // Another algorithm than the issuer's list (PS256 is not on it here).
    const ps = await signingKey("ps-1", "PS256");
    server.state.keys = [rsa.jwk, ps.jwk];
    await refused(tokens.verify(await tokenFrom(ps)), /algorithm/);
  } finally {
    issuers.stop();
    await server.stop();
  }
});

Deno.test("keys rotate: a token from a new key is accepted without a restart (one fetch for the unknown kid)", async () => {
  const old = await signingKey("2026-11");
  const rotated = await signingKey("2026-12");
  const server = jwksServer([old.jwk]);
  const { tokens, issuers } = await verifierFor(server.url, { cooldownMs: 0 });
  try {
    assert.equal(await tokens.verify(await tokenFrom(old)), "player-1");
    server.state.keys = [old.jwk, rotated.jwk];
    const before = server.state.fetches;
    assert.equal(await tokens.verify(await tokenFrom(rotated)), "player-1");
    assert.equal(server.state.fetches, before + 1);
    await refused(tokens.verify(await tokenFrom(await signingKey("never-published"))), /kid/);
  } finally {
    issuers.stop();
    await server.stop();
  }
});

Deno.test("an unknown kid is fetched for at most once per cooldown", async () => {
  const key = await signingKey("k1");
  const server = jwksServer([key.jwk]);
  const { tokens, issuers } = await verifierFor(server.url, { cooldownMs: 3_600_000 });
  try {
    const before = server.state.fetches;
    const stranger = await signingKey("unknown");
    for (let i = 0; i < 5; i++) await refused(tokens.verify(await tokenFrom(stranger)), /kid/);
    assert.ok(server.state.fetches - before <= 1, `${server.state.fetches - before} fetches`);
  } finally {
    issuers.stop();
    await server.stop();
  }
});

Deno.test("a removed key is accepted while the cache holds it and refused once the cache has expired", async () => {
  const removed = await signingKey("removed");
  const kept = await signingKey("kept");
  const server = jwksServer([removed.jwk, kept.jwk]);
  // One edge whose cache is still fresh, one whose cache expires at once (cacheMaxAge 0).
  const fresh = await verifierFor(server.url, { cacheMaxAgeMs: 600_000 });
  const expired = await verifierFor(server.url, { cacheMaxAgeMs: 0 });
  try {
    server.state.keys = [kept.jwk];
    const token = await tokenFrom(removed);
    assert.equal(await fresh.tokens.verify(token), "player-1");
    await refused(expired.tokens.verify(token), /kid/);
    assert.equal(await expired.tokens.verify(await tokenFrom(kept)), "player-1");
  } finally {
    fresh.issuers.stop();
    expired.issuers.stop();
    await server.stop();
  }
});

Deno.test("the JWKS server down at start: not ready, and readiness says why", async () => {
  const server = jwksServer([]);
  await server.stop();
  const { tokens, readiness, registry, issuers } = await verifierFor(server.url);
  try {
    assert.equal(readiness.ready, false);
    assert.match(
      readiness.reasons()[issuerCondition(ISSUER)] ?? "",
      /cannot fetch http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/,
    );
    const key = await signingKey("k1");
    await assert.rejects(tokens.verify(await tokenFrom(key)), VeltrixError);
    assert.match(
      await registry.metrics(),
      /veltrix_jwks_fetches_total\{issuer="https:\/\/id.game.test",outcome="error"\} [1-9]/,
    );
  } finally {
    issuers.stop();
  }
});

Deno.test("the JWKS server goes down later: players keep connecting with the cached keys", async () => {
  const key = await signingKey("k1");
  const server = jwksServer([key.jwk]);
  // A cache that is always stale: every token tries a fetch first, which now fails.
  const { tokens, readiness, registry, issuers } = await verifierFor(server.url, { cacheMaxAgeMs: 0 });
  try {
    assert.equal(await tokens.verify(await tokenFrom(key)), "player-1");
    await server.stop();
    for (let i = 0; i < 3; i++) assert.equal(await tokens.verify(await tokenFrom(key)), "player-1");
    assert.equal(readiness.ready, true, "an issuer that was fetched once stays ready");
    assert.match(
      await registry.metrics(),
      /veltrix_jwks_fetches_total\{issuer="https:\/\/id.game.test",outcome="error"\} [1-9]/,
    );
  } finally {
    issuers.stop();
  }
});

Deno.test("the same sub from two trusted issuers, and from the static keys, is three players (identities), one sub", async () => {
  const keyA = await signingKey("a-1");
  const keyB = await signingKey("b-1");
  const server = jwksServer([keyA.jwk, keyB.jwk]);
  const issuerB = "https://id.other.test";
  const issuers = new JwksIssuers(
    [ISSUER, issuerB].map((issuer) => ({ issuer, jwksUrl: server.url, audience: AUDIENCE, algorithms: ["RS256"] })),
    {
      settings: { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 2_000 },
      readiness: new Readiness(),
      logger: SILENT,
      observer: new JwksMetrics(new client.Registry(), [ISSUER, issuerB]),
    },
  );
  const secret = "jwks-test-static-secret-0123456789";
  try {
    await issuers.start();
    const tokens = await PlayerTokenVerifier.create({ issuers, hs256Secret: secret, clockSkewS: 0 });
    const a = await tokens.verifySession(await tokenFrom(keyA, { sub: "42" }));
    const b = await tokens.verifySession(await tokenFrom(keyB, { sub: "42", iss: issuerB }));
    const hs256 = await new SignJWT({ sub: "42" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("10m")
      .sign(new TextEncoder().encode(secret));
    const local = await tokens.verifySession(hs256);
    assert.deepEqual([a.player, b.player, local.player], ["42", "42", "42"]);
    assert.deepEqual([a.issuer, b.issuer, local.issuer], [ISSUER, issuerB, undefined]);
    assert.deepEqual(
      [a.identity, b.identity, local.identity],
      [playerIdentity("42", ISSUER), playerIdentity("42", issuerB), "42"],
    );
    assert.equal(new Set([a.identity, b.identity, local.identity]).size, 3);
  } finally {
    issuers.stop();
    await server.stop();
  }
});
