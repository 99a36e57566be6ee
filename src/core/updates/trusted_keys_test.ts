import assert from "node:assert/strict";
import { parseTrustedKeys, TrustedKeys } from "./trusted_keys.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const key32 = (fill: number) => new Uint8Array(32).fill(fill);

async function newKeyPair(): Promise<{ pair: CryptoKeyPair; raw: Uint8Array }> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  return { pair, raw: new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)) };
}

function configError(text: string): VeltrixError {
  let caught: unknown;
  try {
    parseTrustedKeys(text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof VeltrixError, `expected a VeltrixError, got ${caught}`);
  assert.equal(caught.code, "INVALID_CONFIG");
  return caught;
}

Deno.test("parseTrustedKeys() reads comma-separated id:base64 entries in order", () => {
  const entries = parseTrustedKeys(`ops-1:${b64(key32(1))},ops.2_b:${b64(key32(2))}`);
  assert.deepEqual(entries, [
    { id: "ops-1", publicKey: key32(1) },
    { id: "ops.2_b", publicKey: key32(2) },
  ]);
});

Deno.test("parseTrustedKeys() reads newline-separated entries and trims the space around them", () => {
  const entries = parseTrustedKeys(`  a:${b64(key32(1))}  \n\tb:${b64(key32(2))}\r\n`);
  assert.deepEqual(entries.map((e) => e.id), ["a", "b"]);
  assert.deepEqual(entries[1]?.publicKey, key32(2));
});

Deno.test("parseTrustedKeys() skips blank lines and # comments", () => {
  const text = [
    "# route-map signing keys",
    "",
    `a:${b64(key32(1))}`,
    "   ",
    "  # rotated out: old:AAAA",
    `b:${b64(key32(2))}`,
    "",
  ].join("\n");
  assert.deepEqual(parseTrustedKeys(text).map((e) => e.id), ["a", "b"]);
});

Deno.test("parseTrustedKeys() skips a # comment line whole, commas included", () => {
  const text = `# ops keys, rotated yearly, see runbook\na:${b64(key32(1))},b:${b64(key32(2))}`;
  assert.deepEqual(parseTrustedKeys(text).map((e) => e.id), ["a", "b"]);
});

Deno.test("parseTrustedKeys() of an empty or comment-only text is no keys", () => {
  assert.deepEqual(parseTrustedKeys(""), []);
  assert.deepEqual(parseTrustedKeys("\n , \n# nothing yet\n"), []);
});

Deno.test("parseTrustedKeys() accepts a 64-character id and refuses a 65-character one", () => {
  const long = "k".repeat(64);
  assert.deepEqual(parseTrustedKeys(`${long}:${b64(key32(1))}`).map((e) => e.id), [long]);
  const error = configError(`${long}k:${b64(key32(1))}`);
  assert.match(error.message, /not id:base64-public-key/);
});

Deno.test("parseTrustedKeys() refuses an entry without an id, or with characters an id may not hold", () => {
  for (const entry of [b64(key32(1)), `:${b64(key32(1))}`, `ops key:${b64(key32(1))}`, `ops/1:${b64(key32(1))}`]) {
    const error = configError(entry);
    assert.match(error.message, /is not id:base64-public-key/, entry);
  }
});

Deno.test("parseTrustedKeys() refuses an id listed twice", () => {
  const error = configError(`a:${b64(key32(1))}\na:${b64(key32(2))}`);
  assert.match(error.message, /key id "a" is listed twice/);
});

Deno.test("parseTrustedKeys() refuses a key that is not base64", () => {
  const error = configError("a:not*base64!");
  assert.match(error.message, /key "a" is not valid base64/);
});

Deno.test("parseTrustedKeys() refuses a key that is not 32 bytes", () => {
  assert.match(
    configError(`a:${b64(new Uint8Array(31))}`).message,
    /key "a" is 31 bytes; a raw Ed25519 public key is 32/,
  );
  assert.match(configError(`a:${b64(new Uint8Array(33))}`).message, /key "a" is 33 bytes/);
  assert.match(configError("a:").message, /key "a" is 0 bytes/);
});

Deno.test("parseTrustedKeys() reports every bad entry in one INVALID_CONFIG error", () => {
  const text = [
    `good:${b64(key32(1))}`,
    "no-colon-here",
    `good:${b64(key32(2))}`,
    "b64:@@@@",
    `short:${b64(new Uint8Array(16))}`,
  ].join("\n");
  const error = configError(text);
  assert.match(error.message, /^trusted keys: /);
  assert.match(error.message, /"no-colon-here" is not id:base64-public-key/);
  assert.match(error.message, /key id "good" is listed twice/);
  assert.match(error.message, /key "b64" is not valid base64/);
  assert.match(error.message, /key "short" is 16 bytes/);
});

Deno.test("parseTrustedKeys() does not echo more than 40 characters of a bad entry", () => {
  const secretish = `x${"A".repeat(100)}`;
  const error = configError(secretish);
  assert.ok(!error.message.includes("A".repeat(41)), error.message);
});

Deno.test("TrustedKeys.import() makes a verification key for each entry, found by id", async () => {
  const first = await newKeyPair();
  const second = await newKeyPair();
  const keys = await TrustedKeys.import(parseTrustedKeys(`first:${b64(first.raw)}\nsecond:${b64(second.raw)}`));
  assert.deepEqual(keys.ids, ["first", "second"]);

  const key = keys.get("first");
  assert.ok(key !== undefined);
  assert.equal(key.type, "public");
  assert.equal(key.algorithm.name, "Ed25519");
  assert.deepEqual(key.usages, ["verify"]);

  const data = new TextEncoder().encode("route map bytes");
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, first.pair.privateKey, data);
  assert.equal(await crypto.subtle.verify({ name: "Ed25519" }, key, signature, data), true);
  assert.equal(await crypto.subtle.verify({ name: "Ed25519" }, keys.get("second")!, signature, data), false);
});

Deno.test("TrustedKeys.get() is undefined for an id that is not trusted", async () => {
  const keys = await TrustedKeys.import([{ id: "a", publicKey: (await newKeyPair()).raw }]);
  assert.equal(keys.get("b"), undefined);
  assert.equal(keys.get(""), undefined);
  assert.equal(keys.get("A"), undefined);
});

Deno.test("TrustedKeys.import() of no entries trusts nothing", async () => {
  const keys = await TrustedKeys.import([]);
  assert.deepEqual(keys.ids, []);
  assert.equal(keys.get("anything"), undefined);
});

Deno.test("TrustedKeys.ids is a copy that callers cannot use to change the trusted set", async () => {
  const keys = await TrustedKeys.import([{ id: "a", publicKey: (await newKeyPair()).raw }]);
  keys.ids.push("b");
  assert.deepEqual(keys.ids, ["a"]);
  assert.equal(keys.get("b"), undefined);
});
