import assert from "node:assert/strict";
import fc from "fast-check";
import { playerIdentity } from "./player_identity.ts";

Deno.test("playerIdentity() is the bare sub for the static keys, as before issuers were told apart", () => {
  assert.equal(playerIdentity("42"), "42");
  assert.equal(playerIdentity("dev-player"), "dev-player");
});

Deno.test("playerIdentity() tells the same sub of two issuers, and of an issuer and the static keys, apart", () => {
  const a = playerIdentity("42", "https://id.a.test");
  const b = playerIdentity("42", "https://id.b.test");
  assert.notEqual(a, b);
  assert.notEqual(a, playerIdentity("42"));
  assert.equal(a, playerIdentity("42", "https://id.a.test"), "the same issuer and sub are one player");
});

Deno.test("playerIdentity() gives distinct (issuer, sub) pairs distinct identities, NUL and JSON characters included", () => {
  const unit = fc.constantFrom("\u0000", "[", "]", '"', ",", "\\", "a", "4", "2");
  const text = fc.string({ unit, minLength: 1, maxLength: 6 });
  const pair = fc.tuple(fc.option(text, { nil: undefined }), text);
  fc.assert(
    fc.property(pair, pair, ([issuerA, subA], [issuerB, subB]) => {
      const same = issuerA === issuerB && subA === subB;
      assert.equal(playerIdentity(subA, issuerA) === playerIdentity(subB, issuerB), same);
    }),
    { numRuns: 5_000 },
  );
  // The hand-picked near misses.
  assert.notEqual(playerIdentity('\u0000["x","1"]'), playerIdentity("1", "x"));
  assert.notEqual(playerIdentity("\u0000"), playerIdentity("\u0000\u0000"));
  assert.notEqual(playerIdentity("b", "a\u0000"), playerIdentity("\u0000b", "a"));
});
