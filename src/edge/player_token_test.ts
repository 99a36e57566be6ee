import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import { VeltrixError } from "../core/veltrix_error.ts";
import { tokenFromRequest, verifyPlayerToken } from "./player_token.ts";

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

Deno.test("verifyPlayerToken() rejects an expired token with UNAUTHORIZED", async () => {
  const token = await sign({ sub: "alice", exp: nowSeconds() - 10 }, SECRET);
  await assert.rejects(verifyPlayerToken(token, SECRET), isUnauthorized);
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

Deno.test("tokenFromRequest() takes the token from ?token=", () => {
  assert.equal(tokenFromRequest(new URL("http://edge/v1/ingest?token=abc.def.ghi"), undefined), "abc.def.ghi");
});

Deno.test("tokenFromRequest() takes the token from Authorization: Bearer", () => {
  const url = new URL("http://edge/v1/ingest");
  assert.equal(tokenFromRequest(url, "Bearer abc.def.ghi"), "abc.def.ghi");
  assert.equal(tokenFromRequest(url, "bearer   abc.def.ghi"), "abc.def.ghi");
});

Deno.test("tokenFromRequest() prefers ?token= over Authorization: Bearer", () => {
  assert.equal(tokenFromRequest(new URL("http://edge/v1/ingest?token=from-query"), "Bearer from-header"), "from-query");
});

Deno.test("tokenFromRequest() finds no token in other or malformed Authorization headers", () => {
  const url = new URL("http://edge/v1/ingest");
  assert.equal(tokenFromRequest(url, undefined), undefined);
  assert.equal(tokenFromRequest(url, "Basic dXNlcjpwYXNz"), undefined);
  assert.equal(tokenFromRequest(url, "Bearer"), undefined);
  assert.equal(tokenFromRequest(url, "Bearer two tokens"), undefined);
  assert.equal(tokenFromRequest(url, "xBearer abc"), undefined);
});
