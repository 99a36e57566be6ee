import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { PlayerTokenVerifier, verifyPlayerToken } from "./player_token.ts";

const SECRET = "player-token-test-secret-0123456789";

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function isUnauthorized(error: unknown): boolean {
  assert.ok(error instanceof VeltrixError, `expected a VeltrixError, got ${error}`);
  assert.equal(error.code, "UNAUTHORIZED");
  return true;
}

Deno.test("verifyPlayerToken() returns the sub of a valid HS256 token", async () => {
  const token = await sign({ sub: "alice", exp: nowSeconds() + 60 }, SECRET);
  assert.equal(await verifyPlayerToken(token, SECRET), "alice");
});

Deno.test("verifyPlayerToken() accepts a token whose nbf and iat have passed", async () => {
  const now = nowSeconds();
  const token = await sign({ sub: "bob", exp: now + 60, nbf: now - 10, iat: now - 10 }, SECRET);
  assert.equal(await verifyPlayerToken(token, SECRET), "bob");
});

Deno.test("verifyPlayerToken() rejects a missing or empty token with UNAUTHORIZED", async () => {
  await assert.rejects(verifyPlayerToken(undefined, SECRET), isUnauthorized);
  await assert.rejects(verifyPlayerToken("", SECRET), isUnauthorized);
});

Deno.test("verifyPlayerToken() rejects a token that is not a JWT with UNAUTHORIZED", async () => {
  await assert.rejects(verifyPlayerToken("not-a-jwt", SECRET), isUnauthorized);
  await assert.rejects(verifyPlayerToken("a.b.c", SECRET), isUnauthorized);
});

Deno.test("verifyPlayerToken() rejects a token signed with another secret with UNAUTHORIZED", async () => {
  const token = await sign({ sub: "alice", exp: nowSeconds() + 60 }, "some-other-secret-0123456789");
  await assert.rejects(verifyPlayerToken(token, SECRET), isUnauthorized);
});

Deno.test("verifyPlayerToken() rejects a token with a tampered payload with UNAUTHORIZED", async () => {
  const token = await sign({ sub: "alice", exp: nowSeconds() + 60 }, SECRET);
  const forged = await sign({ sub: "mallory", exp: nowSeconds() + 60 }, SECRET);
  const [header, , signature] = token.split(".");
  const [, forgedPayload] = forged.split(".");
  await assert.rejects(verifyPlayerToken(`${header}.${forgedPayload}.${signature}`, SECRET), isUnauthorized);
});

Deno.test("verifyPlayerToken() rejects a token signed with another algorithm with UNAUTHORIZED", async () => {
  const token = await sign({ sub: "alice", exp: nowSeconds() + 60 }, SECRET, "HS512");
  await assert.rejects(verifyPlayerToken(token, SECRET), isUnauthorized);
});

Deno.test("verifyPlayerToken() rejects a token expired beyond the 30 s clock skew, and accepts one within it", async () => {
  const expired = await sign({ sub: "alice", exp: nowSeconds() - 60 }, SECRET);
  await assert.rejects(verifyPlayerToken(expired, SECRET), isUnauthorized);
  const justExpired = await sign({ sub: "alice", exp: nowSeconds() - 10 }, SECRET);
  assert.equal(await verifyPlayerToken(justExpired, SECRET), "alice");
});

Deno.test("verifyPlayerToken() rejects a token without exp with UNAUTHORIZED", async () => {
  const token = await sign({ sub: "alice" }, SECRET);
  await assert.rejects(verifyPlayerToken(token, SECRET), (error) => isUnauthorized(error) && /exp/.test(String(error)));
});

Deno.test("verifyPlayerToken() rejects a token without a usable sub with UNAUTHORIZED", async () => {
  const exp = nowSeconds() + 60;
  for (const payload of [{ exp }, { exp, sub: "" }, { exp, sub: 42 }]) {
    const token = await sign(payload, SECRET);
    await assert.rejects(verifyPlayerToken(token, SECRET), isUnauthorized, JSON.stringify(payload));
  }
});

Deno.test("verifyPlayerToken() rejects a token whose nbf is in the future with UNAUTHORIZED", async () => {
  const now = nowSeconds();
  const token = await sign({ sub: "alice", exp: now + 600, nbf: now + 300 }, SECRET);
  await assert.rejects(verifyPlayerToken(token, SECRET), isUnauthorized);
});

async function edKeyPair(kid: string) {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { kid, privateKey: pair.privateKey, entry: { id: kid, publicKey } };
}

async function signEdDSA(privateKey: CryptoKey, kid: string | undefined, claims: Record<string, unknown>) {
  const b64 = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const text = (value: unknown) => b64(new TextEncoder().encode(JSON.stringify(value)));
  const head = `${text({ alg: "EdDSA", typ: "JWT", ...(kid ? { kid } : {}) })}.${text(claims)}`;
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, new TextEncoder().encode(head)));
  return `${head}.${b64(signature)}`;
}

Deno.test("PlayerTokenVerifier accepts EdDSA tokens from a trusted key, by kid or without one", async () => {
  const key = await edKeyPair("players-1");
  const verifier = await PlayerTokenVerifier.create({ ed25519Keys: [key.entry] });
  const claims = { sub: "carol", exp: nowSeconds() + 60 };
  assert.equal(await verifier.verify(await signEdDSA(key.privateKey, "players-1", claims)), "carol");
  assert.equal(await verifier.verify(await signEdDSA(key.privateKey, undefined, claims)), "carol");
});

Deno.test("PlayerTokenVerifier refuses EdDSA tokens from an unknown kid or another key", async () => {
  const key = await edKeyPair("players-1");
  const other = await edKeyPair("players-1");
  const verifier = await PlayerTokenVerifier.create({ ed25519Keys: [key.entry] });
  const claims = { sub: "carol", exp: nowSeconds() + 60 };
  await assert.rejects(verifier.verify(await signEdDSA(key.privateKey, "nobody", claims)), isUnauthorized);
  await assert.rejects(verifier.verify(await signEdDSA(other.privateKey, "players-1", claims)), isUnauthorized);
});

Deno.test("PlayerTokenVerifier accepts only the algorithms it is configured with", async () => {
  const key = await edKeyPair("k");
  const edOnly = await PlayerTokenVerifier.create({ ed25519Keys: [key.entry] });
  const hs = await sign({ sub: "alice", exp: nowSeconds() + 60 }, SECRET);
  await assert.rejects(edOnly.verify(hs), isUnauthorized);
  const none = `${btoa(JSON.stringify({ alg: "none" }))}.${
    btoa(JSON.stringify({ sub: "x", exp: nowSeconds() + 60 }))
  }.`;
  await assert.rejects(edOnly.verify(none.replaceAll("=", "")), isUnauthorized);
});

Deno.test("PlayerTokenVerifier checks iss and aud when configured", async () => {
  const verifier = await PlayerTokenVerifier.create({ hs256Secret: SECRET, issuer: "auth.game", audience: "veltrix" });
  const exp = nowSeconds() + 60;
  assert.equal(await verifier.verify(await sign({ sub: "a", exp, iss: "auth.game", aud: "veltrix" }, SECRET)), "a");
  assert.equal(
    await verifier.verify(await sign({ sub: "a", exp, iss: "auth.game", aud: ["x", "veltrix"] }, SECRET)),
    "a",
  );
  await assert.rejects(
    verifier.verify(await sign({ sub: "a", exp, iss: "evil", aud: "veltrix" }, SECRET)),
    isUnauthorized,
  );
  await assert.rejects(
    verifier.verify(await sign({ sub: "a", exp, iss: "auth.game", aud: "other" }, SECRET)),
    isUnauthorized,
  );
  await assert.rejects(verifier.verify(await sign({ sub: "a", exp, iss: "auth.game" }, SECRET)), isUnauthorized);
});

Deno.test("PlayerTokenVerifier refuses a token not valid until beyond the clock skew", async () => {
  const verifier = await PlayerTokenVerifier.create({ hs256Secret: SECRET, clockSkewS: 5 });
  const now = nowSeconds();
  await assert.rejects(
    verifier.verify(await sign({ sub: "a", exp: now + 600, nbf: now + 60 }, SECRET)),
    isUnauthorized,
  );
  assert.equal(await verifier.verify(await sign({ sub: "a", exp: now + 600, nbf: now + 3 }, SECRET)), "a");
});

/** The message of the UNAUTHORIZED error `promise` rejects with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e) => e);
  isUnauthorized(error);
  return (error as VeltrixError).message;
}

Deno.test("PlayerTokenVerifier says why it refused a token, in the edge's words", async () => {
  const verifier = await PlayerTokenVerifier.create({ hs256Secret: SECRET, issuer: "auth.game", audience: "veltrix" });
  const exp = nowSeconds() + 60;
  const good = { sub: "a", exp, iss: "auth.game", aud: "veltrix" };
  const cases: [string, Promise<string>][] = [
    ["token is not a JWT", sign(good, SECRET).then((t) => t.split(".").slice(0, 2).join("."))],
    ["token signature does not verify", sign(good, "some-other-secret-0123456789")],
    ['token algorithm "HS512" is not accepted', sign(good, SECRET, "HS512")],
    ["token has expired", sign({ ...good, exp: nowSeconds() - 120 }, SECRET)],
    ["token has no exp claim", sign({ sub: "a", iss: "auth.game", aud: "veltrix" }, SECRET)],
    ["token is not valid yet (nbf)", sign({ ...good, nbf: nowSeconds() + 120 }, SECRET)],
    ["token issuer (iss) is not accepted", sign({ ...good, iss: "evil" }, SECRET)],
    ["token audience (aud) does not include this edge", sign({ ...good, aud: "other" }, SECRET)],
    ["token has no sub claim", sign({ ...good, sub: "x".repeat(129) }, SECRET)],
  ];
  for (const [expected, token] of cases) {
    assert.match(await refusal(verifier.verify(await token)), new RegExp(`^${expected.replace(/[()]/g, "\\$&")}`));
  }
});

Deno.test("PlayerTokenVerifier.verify() judges exp and nbf at the time it is given", async () => {
  const verifier = await PlayerTokenVerifier.create({ hs256Secret: SECRET, clockSkewS: 0 });
  const now = nowSeconds();
  const token = await sign({ sub: "a", nbf: now + 100, exp: now + 200 }, SECRET);
  await assert.rejects(verifier.verify(token, (now + 50) * 1000), isUnauthorized);
  assert.equal(await verifier.verify(token, (now + 150) * 1000), "a");
  await assert.rejects(verifier.verify(token, (now + 250) * 1000), isUnauthorized);
});

Deno.test("PlayerTokenVerifier refuses a token whose iat, nbf or exp is not a number", async () => {
  const verifier = await PlayerTokenVerifier.create({ hs256Secret: SECRET });
  const exp = nowSeconds() + 60;
  for (
    const payload of [{ sub: "a", exp, iat: "yesterday" }, { sub: "a", exp, nbf: "now" }, { sub: "a", exp: "soon" }]
  ) {
    await assert.rejects(
      verifier.verify(await sign(payload as never, SECRET)),
      isUnauthorized,
      JSON.stringify(payload),
    );
  }
});

Deno.test("PlayerTokenVerifier refuses a token with a critical header it does not understand", async () => {
  const key = await edKeyPair("k");
  const verifier = await PlayerTokenVerifier.create({ ed25519Keys: [key.entry] });
  const b64 = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const head = `${b64({ alg: "EdDSA", kid: "k", crit: ["x-veltrix"], "x-veltrix": 1 })}.${
    b64({ sub: "a", exp: nowSeconds() + 60 })
  }`;
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", key.privateKey, new TextEncoder().encode(head)));
  const token = `${head}.${btoa(String.fromCharCode(...signature)).replaceAll("+", "-").replaceAll("/", "_")}`;
  assert.match(await refusal(verifier.verify(token.replace(/=+$/, ""))), /"x-veltrix" is not recognized/);
});

Deno.test("PlayerTokenVerifier tries every trusted Ed25519 key for a token without kid", async () => {
  const first = await edKeyPair("players-1");
  const second = await edKeyPair("players-2");
  const verifier = await PlayerTokenVerifier.create({ ed25519Keys: [first.entry, second.entry] });
  const claims = { sub: "dave", exp: nowSeconds() + 60 };
  assert.equal(await verifier.verify(await signEdDSA(second.privateKey, undefined, claims)), "dave");
  const stranger = await edKeyPair("players-3");
  const message = await refusal(verifier.verify(await signEdDSA(stranger.privateKey, undefined, claims)));
  assert.equal(message, "token signature does not verify");
});

Deno.test("PlayerTokenVerifier refuses an EdDSA token with an expired exp after its signature verifies", async () => {
  const key = await edKeyPair("players-1");
  const verifier = await PlayerTokenVerifier.create({ ed25519Keys: [key.entry] });
  const token = await signEdDSA(key.privateKey, "players-1", { sub: "erin", exp: nowSeconds() - 120 });
  assert.equal(await refusal(verifier.verify(token)), "token has expired");
});

Deno.test("PlayerTokenVerifier gives a static key's player their bare sub as identity, iss configured or not", async () => {
  const token = await sign({ sub: "alice", iss: "https://game.test", exp: nowSeconds() + 60 }, SECRET);
  for (const options of [{ hs256Secret: SECRET }, { hs256Secret: SECRET, issuer: "https://game.test" }]) {
    const session = await (await PlayerTokenVerifier.create(options)).verifySession(token);
    assert.equal(session.player, "alice");
    assert.equal(session.identity, "alice");
    assert.equal(session.issuer, undefined);
  }
});
