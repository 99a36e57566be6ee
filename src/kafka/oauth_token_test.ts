import assert from "node:assert/strict";
import { OAuthTokenSource, parseOAuthToken } from "./oauth_token.ts";

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: "none" })}.${b64url(claims)}.`;

Deno.test("parseOAuthToken() reads JSON with expiresAt in seconds, milliseconds or ISO, and expiryTime", () => {
  assert.deepEqual(parseOAuthToken('{"token":"t","expiresAt":1800000000}'), {
    token: "t",
    expiresAtMs: 1_800_000_000_000,
  });
  assert.deepEqual(parseOAuthToken('{"token":"t","expiresAt":1800000000123}').expiresAtMs, 1_800_000_000_123);
  assert.equal(parseOAuthToken('{"token":"t","expiresAt":"2027-01-01T00:00:00Z"}').expiresAtMs, Date.UTC(2027, 0, 1));
  assert.equal(parseOAuthToken('{"token":"t","expiryTime":1800000000999}').expiresAtMs, 1_800_000_000_999);
});

Deno.test("parseOAuthToken() reads SASL extensions, and refuses extensions that are not strings", () => {
  const text = '{"token":"t","expiresAt":1800000000,"extensions":{"logicalCluster":"lkc-1","identityPoolId":"pool-2"}}';
  assert.deepEqual(parseOAuthToken(text).extensions, { logicalCluster: "lkc-1", identityPoolId: "pool-2" });
  assert.throws(() => parseOAuthToken('{"token":"t","extensions":{"a":1}}'), /object of strings/);
});

Deno.test("parseOAuthToken() reads a bare JWT's exp, and leaves an opaque token's expiry unknown", () => {
  const token = jwt({ sub: "veltrix", exp: 1_800_000_000 });
  assert.deepEqual(parseOAuthToken(`${token}\n`), { token, expiresAtMs: 1_800_000_000_000 });
  assert.deepEqual(parseOAuthToken("opaque-token"), { token: "opaque-token", expiresAtMs: undefined });
});

Deno.test("parseOAuthToken() refuses empty output and JSON without a token, and never quotes the token", () => {
  assert.throws(() => parseOAuthToken("  \n"), /empty/);
  assert.throws(
    () => parseOAuthToken('{"access_token":"secret-value"}'),
    (e: Error) => !e.message.includes("secret-value"),
  );
  assert.throws(() => parseOAuthToken("two words-secret"), (e: Error) => !e.message.includes("secret"));
});

Deno.test("OAuthTokenSource fetches once, reuses the token, and refetches after 70 % of its life", async () => {
  let now = Date.UTC(2027, 0, 1);
  let fetches = 0;
  const source = new OAuthTokenSource({
    now: () => now,
    fetch: () => Promise.resolve(JSON.stringify({ token: `t${++fetches}`, expiresAt: now + 10_000 })),
  });
  assert.equal((await source.token()).token, "t1");
  now += 6_900;
  assert.equal((await source.token()).token, "t1");
  now += 200;
  assert.equal((await source.token()).token, "t2");
  assert.equal(fetches, 2);
});

Deno.test("OAuthTokenSource keeps a still-valid token when a refresh fails, and throws once it has expired", async () => {
  const start = Date.UTC(2027, 0, 1);
  let now = start;
  let fail = false;
  const source = new OAuthTokenSource({
    now: () => now,
    fetch: () =>
      fail ? Promise.reject(new Error("signer down")) : Promise.resolve(`{"token":"t","expiresAt":${now + 10_000}}`),
  });
  assert.equal((await source.token()).token, "t");
  fail = true;
  now = start + 8_000;
  assert.equal((await source.token()).token, "t");
  now = start + 10_001;
  await assert.rejects(source.token(), /signer down/);
});

Deno.test("OAuthTokenSource shares one fetch between concurrent callers", async () => {
  let fetches = 0;
  const source = new OAuthTokenSource({ fetch: () => Promise.resolve(`token-${++fetches}`) });
  const tokens = (await Promise.all([source.token(), source.token(), source.token()])).map((t) => t.token);
  assert.deepEqual(tokens, ["token-1", "token-1", "token-1"]);
});
