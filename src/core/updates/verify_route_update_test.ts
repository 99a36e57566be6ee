import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { RouteMapSchema, type SignedRouteMap, SignedRouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap, type TestSigningKey } from "./testing/route_signing.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import { parseTrustedKeys, TrustedKeys } from "./trusted_keys.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";
import {
  DEFAULT_MAX_ROUTE_UPDATE_BYTES,
  isVerified,
  type RefusedRouteUpdate,
  type RouteUpdateContext,
  type VerifiedRouteUpdate,
  verifyRouteUpdate,
} from "./verify_route_update.ts";

const trusted = await makeSigningKey("ops-a");
const alsoTrusted = await makeSigningKey("ops-b");
const stranger = await makeSigningKey("stranger");
const keys = await TrustedKeys.import(parseTrustedKeys(`${trusted.trustEntry}\n${alsoTrusted.trustEntry}`));

function context(overrides: Partial<RouteUpdateContext> = {}): RouteUpdateContext {
  return { keys, currentVersion: 1n, maxBytes: DEFAULT_MAX_ROUTE_UPDATE_BYTES, ...overrides };
}

async function refused(
  input: Parameters<typeof verifyRouteUpdate>[0],
  code: ErrorCode,
  ctx: RouteUpdateContext = context(),
): Promise<RefusedRouteUpdate> {
  const result = await verifyRouteUpdate(input, ctx);
  assert.equal(isVerified(result), false, "expected the update to be refused");
  const refusal = result as RefusedRouteUpdate;
  assert.ok(refusal.error instanceof VeltrixError);
  assert.equal(refusal.error.code, code, refusal.error.message);
  return refusal;
}

async function verified(
  input: Parameters<typeof verifyRouteUpdate>[0],
  ctx: RouteUpdateContext = context(),
): Promise<VerifiedRouteUpdate> {
  const result = await verifyRouteUpdate(input, ctx);
  assert.ok(isVerified(result), `expected the update to pass, got ${"error" in result ? result.error.message : ""}`);
  return result;
}

/** Signs arbitrary bytes as if they were a route map. */
async function signRaw(key: TestSigningKey, routeMap: Uint8Array, keyId = key.id): Promise<SignedRouteMap> {
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, routeMap as BufferSource),
  );
  return create(SignedRouteMapSchema, { routeMap, keyId, signature });
}

const invalidMapV5 = {
  version: 5n,
  routes: [
    { name: "dup", match: "player.*", targets: [{ topic: "game.player-activity" }] },
    { name: "dup", match: "treasure.*", targets: [{ topic: "bad topic!" }] },
  ],
};

// 1. size cap

Deno.test("verifyRouteUpdate() refuses bytes over the cap with ROUTE_UPDATE_TOO_LARGE", async () => {
  const bytes = signedBytes(await signRouteMap(trusted, simpleMap(2n)));
  const refusal = await refused(bytes, "ROUTE_UPDATE_TOO_LARGE", context({ maxBytes: bytes.byteLength - 1 }));
  assert.match(refusal.error.message, new RegExp(`${bytes.byteLength} bytes; the cap is ${bytes.byteLength - 1}`));
});

Deno.test("verifyRouteUpdate() accepts an update of exactly the cap", async () => {
  const bytes = signedBytes(await signRouteMap(trusted, simpleMap(2n)));
  const update = await verified(bytes, context({ maxBytes: bytes.byteLength }));
  assert.equal(update.table.version, 2n);
});

Deno.test("verifyRouteUpdate() checks the size before anything else: oversize garbage is TOO_LARGE, not MALFORMED", async () => {
  const garbage = new Uint8Array(1025).fill(0xff);
  await refused(garbage, "ROUTE_UPDATE_TOO_LARGE", context({ maxBytes: 1024 }));
  await refused(garbage.subarray(0, 1024), "MALFORMED_ROUTE_UPDATE", context({ maxBytes: 1024 }));
});

Deno.test("verifyRouteUpdate() applies the cap to the declared size of an already decoded update", async () => {
  const signed = await signRouteMap(trusted, simpleMap(2n));
  await refused({ signed, size: 101 }, "ROUTE_UPDATE_TOO_LARGE", context({ maxBytes: 100 }));
  const update = await verified({ signed, size: 100 }, context({ maxBytes: 100 }));
  assert.equal(update.routeMap.version, 2n);
});

// 2. decode

Deno.test("verifyRouteUpdate() refuses bytes that are not a SignedRouteMap with MALFORMED_ROUTE_UPDATE", async () => {
  const refusal = await refused(new Uint8Array([0xff, 0xff, 0xff, 0xff]), "MALFORMED_ROUTE_UPDATE");
  assert.match(refusal.error.message, /^not a SignedRouteMap/);
  await refused(new TextEncoder().encode('{"routeMap":"AAAA"}'), "MALFORMED_ROUTE_UPDATE");
});

Deno.test("verifyRouteUpdate() refuses an empty route_map with MALFORMED_ROUTE_UPDATE, before looking at the key", async () => {
  const empty = create(SignedRouteMapSchema, { keyId: "nobody", signature: new Uint8Array(64) });
  const refusal = await refused(signedBytes(empty), "MALFORMED_ROUTE_UPDATE");
  assert.match(refusal.error.message, /route_map is empty/);
  await refused({ signed: empty, size: 10 }, "MALFORMED_ROUTE_UPDATE");
  await refused(new Uint8Array(0), "MALFORMED_ROUTE_UPDATE");
});

Deno.test("verifyRouteUpdate() refuses signed route_map bytes that are not a RouteMap with MALFORMED_ROUTE_UPDATE", async () => {
  const signed = await signRaw(trusted, new Uint8Array([0xff, 0xff, 0xff]));
  const refusal = await refused(signedBytes(signed), "MALFORMED_ROUTE_UPDATE");
  assert.match(refusal.error.message, /route_map is not a RouteMap/);
});

// 3. signature

Deno.test("verifyRouteUpdate() refuses a key id that is not trusted with UNKNOWN_SIGNING_KEY", async () => {
  const refusal = await refused(signedBytes(await signRouteMap(stranger, simpleMap(2n))), "UNKNOWN_SIGNING_KEY");
  assert.match(refusal.error.message, /"stranger" is not trusted/);
});

Deno.test("verifyRouteUpdate() looks up the key before checking the signature", async () => {
  const signed = await signRouteMap(stranger, simpleMap(2n));
  signed.signature = new Uint8Array(3);
  await refused(signedBytes(signed), "UNKNOWN_SIGNING_KEY");
});

Deno.test("verifyRouteUpdate() refuses tampered route_map bytes with BAD_SIGNATURE", async () => {
  const signed = await signRouteMap(trusted, simpleMap(2n, "game.original"));
  const tampered = toBinary(RouteMapSchema, create(RouteMapSchema, simpleMap(2n, "game.attacker")));
  signed.routeMap = tampered;
  const refusal = await refused(signedBytes(signed), "BAD_SIGNATURE");
  assert.match(refusal.error.message, /does not verify against key "ops-a"/);

  const flipped = await signRouteMap(trusted, simpleMap(2n));
  flipped.routeMap = flipped.routeMap.slice();
  flipped.routeMap[flipped.routeMap.length - 1]! ^= 0x01;
  await refused(signedBytes(flipped), "BAD_SIGNATURE");
});

Deno.test("verifyRouteUpdate() refuses a tampered signature with BAD_SIGNATURE", async () => {
  const signed = await signRouteMap(trusted, simpleMap(2n));
  signed.signature = signed.signature.slice();
  signed.signature[0]! ^= 0x80;
  await refused(signedBytes(signed), "BAD_SIGNATURE");
});

Deno.test("verifyRouteUpdate() refuses a signature that is not 64 bytes with BAD_SIGNATURE", async () => {
  const signed = await signRouteMap(trusted, simpleMap(2n));
  const truncated = create(SignedRouteMapSchema, { ...signed, signature: signed.signature.subarray(0, 63) });
  await refused(signedBytes(truncated), "BAD_SIGNATURE");
  const missing = create(SignedRouteMapSchema, { ...signed, signature: new Uint8Array(0) });
  await refused(signedBytes(missing), "BAD_SIGNATURE");
});

Deno.test("verifyRouteUpdate() refuses a signature made with another key under a trusted id with BAD_SIGNATURE", async () => {
  const routeMap = toBinary(RouteMapSchema, create(RouteMapSchema, simpleMap(2n)));
  await refused(signedBytes(await signRaw(stranger, routeMap, "ops-a")), "BAD_SIGNATURE");
  // Both keys are trusted, but the signature must match the key the update names.
  await refused(signedBytes(await signRaw(alsoTrusted, routeMap, "ops-a")), "BAD_SIGNATURE");
});

Deno.test("verifyRouteUpdate() checks the signature before the version: a forged stale map is BAD_SIGNATURE", async () => {
  const routeMap = toBinary(RouteMapSchema, create(RouteMapSchema, simpleMap(1n)));
  await refused(signedBytes(await signRaw(stranger, routeMap, "ops-a")), "BAD_SIGNATURE");
});

Deno.test("verifyRouteUpdate() checks the signature before decoding the map: forged garbage is BAD_SIGNATURE", async () => {
  await refused(signedBytes(await signRaw(stranger, new Uint8Array([0xff, 0xff]), "ops-a")), "BAD_SIGNATURE");
});

// 4. version

Deno.test("verifyRouteUpdate() refuses a replay of the version in force with STALE_ROUTE_MAP", async () => {
  const refusal = await refused(
    signedBytes(await signRouteMap(trusted, simpleMap(7n))),
    "STALE_ROUTE_MAP",
    context({ currentVersion: 7n }),
  );
  assert.match(refusal.error.message, /version 7 is not greater than the version in force, 7/);
});

Deno.test("verifyRouteUpdate() refuses a rollback to a lower version with STALE_ROUTE_MAP", async () => {
  const refusal = await refused(
    signedBytes(await signRouteMap(trusted, simpleMap(6n))),
    "STALE_ROUTE_MAP",
    context({ currentVersion: 7n }),
  );
  assert.match(refusal.error.message, /version 6 .* 7/);
});

Deno.test("verifyRouteUpdate() refuses a validly signed stale map as STALE even when it is also invalid", async () => {
  const refusal = await refused(
    signedBytes(await signRouteMap(trusted, invalidMapV5)),
    "STALE_ROUTE_MAP",
    context({ currentVersion: 5n }),
  );
  assert.equal(refusal.problems, undefined);
});

Deno.test("verifyRouteUpdate() accepts the next version up, also past 2^53", async () => {
  const big = 2n ** 63n;
  const update = await verified(
    signedBytes(await signRouteMap(trusted, simpleMap(big + 1n))),
    context({ currentVersion: big }),
  );
  assert.equal(update.table.version, big + 1n);
});

// 5. validate and compile

Deno.test("verifyRouteUpdate() refuses an empty canary {} (no cohort) with INVALID_ROUTE_MAP at path canary", async () => {
  // The fuzz counterexample of issue 23: version 1, then field 20 (canary) as an empty message.
  const bytes = Uint8Array.from([8, 1, 162, 1, 0]);
  const refusal = await refused(
    signedBytes(await signRaw(trusted, bytes)),
    "INVALID_ROUTE_MAP",
    context({ currentVersion: 0n }),
  );
  assert.deepEqual(refusal.problems?.map((p) => p.path), ["canary"]);
  assert.match(refusal.error.message, /canary: a canary needs a cohort/);
});

Deno.test("verifyRouteUpdate() lists a bad canary together with the map's other problems", async () => {
  const map = { ...invalidMapV5, canary: { basisPoints: 10_001 } };
  const refusal = await refused(signedBytes(await signRouteMap(trusted, map)), "INVALID_ROUTE_MAP");
  assert.ok(refusal.problems?.some((p) => p.path === "canary.basisPoints"));
  assert.ok(refusal.problems?.some((p) => p.path === "routes[1].name"));
});

Deno.test("verifyRouteUpdate() refuses an invalid map with INVALID_ROUTE_MAP and lists every problem", async () => {
  const refusal = await refused(signedBytes(await signRouteMap(trusted, invalidMapV5)), "INVALID_ROUTE_MAP");
  assert.deepEqual(refusal.problems?.map((p) => p.path), ["routes[1].name", "routes[1].targets[0].topic"]);
  assert.match(refusal.error.message, /routes\[1\]\.name: duplicate route name "dup"/);
  assert.match(refusal.error.message, /routes\[1\]\.targets\[0\]\.topic: topic name may only hold/);
});

// success

Deno.test("verifyRouteUpdate() returns the compiled table, the map and the signer of a good update", async () => {
  const signed = await signRouteMap(alsoTrusted, simpleMap(3n, "game.moves"));
  const update = await verified(signedBytes(signed));
  assert.equal(update.keyId, "ops-b");
  assert.equal(update.routeMap.version, 3n);
  assert.equal(update.table.version, 3n);
  assert.equal(update.table.map, update.routeMap);
  assert.deepEqual(update.signed.routeMap, signed.routeMap);
  assert.deepEqual(update.table.resolve("player.moved").targets.map((t) => t.topic), ["game.moves"]);
  assert.deepEqual(update.table.resolve("chat.sent").targets.map((t) => t.topic), ["veltrix.unrouted"]);
  assert.deepEqual(update.table.topics, ["game.moves", "game.treasure", "veltrix.unrouted"]);
});

Deno.test("verifyRouteUpdate() takes a decoded SignedRouteMap with its size the same as raw bytes", async () => {
  const signed = await signRouteMap(trusted, simpleMap(4n));
  const fromBytes = await verified(signedBytes(signed));
  const fromDecoded = await verified({ signed, size: signedBytes(signed).byteLength });
  assert.equal(fromDecoded.signed, signed);
  assert.equal(fromDecoded.table.version, fromBytes.table.version);
  assert.deepEqual(fromDecoded.table.topics, fromBytes.table.topics);

  const forged = create(SignedRouteMapSchema, { ...signed, keyId: "ops-b" });
  await refused({ signed: forged, size: 10 }, "BAD_SIGNATURE");
  await refused({ signed, size: 10 }, "STALE_ROUTE_MAP", context({ currentVersion: 4n }));
});

Deno.test("isVerified() tells a verified update from a refusal", async () => {
  assert.equal(
    isVerified(await verifyRouteUpdate(signedBytes(await signRouteMap(trusted, simpleMap(2n))), context())),
    true,
  );
  assert.equal(isVerified({ error: new VeltrixError("BAD_SIGNATURE", "x") }), false);
});
