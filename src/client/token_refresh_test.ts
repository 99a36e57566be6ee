import assert from "node:assert/strict";
import { refreshDelayMs, tokenExpiresAt } from "./token_refresh.ts";

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");

Deno.test("tokenExpiresAt() reads exp from a JWT payload without verifying it", () => {
  assert.equal(
    tokenExpiresAt(`${b64url({ alg: "RS256" })}.${b64url({ sub: "p", exp: 1_900_000_000 })}.sig`),
    1_900_000_000,
  );
  // Characters base64url writes differently from base64 ("-" and "_").
  assert.equal(tokenExpiresAt(`x.${b64url({ sub: "???>>>~~~", exp: 5 })}.y`), 5);
});

Deno.test("tokenExpiresAt() gives undefined for what is not a JWT with a numeric exp", () => {
  for (const token of ["", "jwt", "a..c", `a.${b64url({ sub: "p" })}.c`, `a.${b64url({ exp: "soon" })}.c`, "a.!!!.c"]) {
    assert.equal(tokenExpiresAt(token), undefined, token);
  }
});

Deno.test("refreshDelayMs() refreshes a fifth of the lifetime ahead, between a second and a minute", () => {
  assert.equal(refreshDelayMs(3_600, 0), 3_540_000);
  assert.equal(refreshDelayMs(100, 0), 80_000);
  assert.equal(refreshDelayMs(3, 0), 2_000);
  assert.equal(refreshDelayMs(10, 9_500), 0);
  assert.equal(refreshDelayMs(10, 20_000), 0);
});
