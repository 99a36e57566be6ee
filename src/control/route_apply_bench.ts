/**
 * Route-update apply time at 10, 100, 1,000 and 10,000 routes: the whole pipeline as
 * RouteControl runs it (size cap, decode the SignedRouteMap, verify its Ed25519 signature, decode
 * the RouteMap, version check, compile, swap; no Kafka, no disk, as apply time is measured), and
 * each stage on its own, one group per size with the whole pipeline as the baseline. The baseline
 * applies a map over the embedded default (every route decoded and compiled); up to 1,000 routes,
 * "same routes" applies the same routes under a new version each time, over the last (routes the
 * map in force has byte for byte are reused).
 *
 * `deno bench --allow-all src/control/route_apply_bench.ts`
 *
 * The load benchmark's `route-apply` scenario (`bench/route_apply.ts`) times the same pipeline by
 * RouteControl's own clock and reports what Deno.bench does not: the median and the update's size.
 *
 * @module
 */
import { fromBinary } from "@bufbuild/protobuf";
import { SignedRouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMap, compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { decodeRoutableMap } from "../core/route_map/decode_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import { TrustedKeys } from "../core/updates/trusted_keys.ts";
import { isVerified, verifyRouteUpdate } from "../core/updates/verify_route_update.ts";
import { signRouteMapBytes, syntheticRouteMapBytes } from "./synthetic_route_maps.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { RouteControl } from "./route_control.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
const keys = await TrustedKeys.import([{ id: "bench", publicKey: raw }]);
const publicKey = keys.get("bench")!;
const initial = compileRouteMapOrThrow(defaultRouteMap());
const maxBytes = 64 * 1024 * 1024;

for (const size of [10, 100, 1_000, 10_000]) {
  const group = `${size.toLocaleString("en-US")} routes`;
  // Version 2 over the embedded version 1: the table in force is put back before each run.
  const bytes = await signRouteMapBytes(syntheticRouteMapBytes(size, 2n), pair.privateKey, "bench");
  const signed = fromBinary(SignedRouteMapSchema, bytes);
  const source = decodeRoutableMap(signed.routeMap);
  const table = compileRouteMapOrThrow(source);
  const routes = new LiveRouteTable(embeddedSnapshot(initial));
  const control = new RouteControl({ routes, keys, maxBytes, logger: quiet });

  Deno.bench(`${group}: RouteControl.update, verify through swap`, { group, baseline: true }, async (b) => {
    routes.swap(embeddedSnapshot(initial));
    b.start();
    const outcome = await control.update(bytes);
    b.end();
    if (!outcome.ok) throw outcome.error;
  });
  if (size <= 1_000) {
    // The same routes under versions 3, 4, ... over version 2: a rollout that changes nothing of them.
    const runs = 300;
    const updates = await Promise.all(
      Array.from(
        { length: runs + 1 },
        (_, i) => signRouteMapBytes(syntheticRouteMapBytes(size, BigInt(i + 2)), pair.privateKey, "bench"),
      ),
    );
    const reusing = new RouteControl({
      routes: new LiveRouteTable(embeddedSnapshot(initial)),
      keys,
      maxBytes,
      logger: quiet,
    });
    const first = await reusing.update(updates[0]!);
    if (!first.ok) throw first.error;
    let next = 1;
    Deno.bench(
      `${group}: RouteControl.update, same routes under a new version`,
      { group, n: runs, warmup: 0 },
      async () => {
        const outcome = await reusing.update(updates[next++ % updates.length]!);
        if (!outcome.ok && outcome.error.code !== "STALE_ROUTE_MAP") throw outcome.error;
      },
    );
  }
  Deno.bench(`${group}: verifyRouteUpdate (steps 1-5, no swap)`, { group }, async () => {
    const result = await verifyRouteUpdate(bytes, { keys, currentVersion: 1n, maxBytes });
    if (!isVerified(result)) throw result.error;
  });
  Deno.bench(`${group}: decode the SignedRouteMap`, { group }, () => {
    fromBinary(SignedRouteMapSchema, bytes);
  });
  Deno.bench(`${group}: verify the Ed25519 signature`, { group }, async () => {
    const ok = await crypto.subtle.verify(
      { name: "Ed25519" },
      publicKey,
      signed.signature as BufferSource,
      signed.routeMap as BufferSource,
    );
    if (!ok) throw new Error("signature does not verify");
  });
  Deno.bench(`${group}: decode the RouteMap`, { group }, () => {
    decodeRoutableMap(signed.routeMap);
  });
  Deno.bench(`${group}: compile`, { group }, () => {
    if (!compileRouteMap(source).ok) throw new Error("map does not compile");
  });
  const next = embeddedSnapshot(table);
  Deno.bench(`${group}: swap`, { group }, () => {
    routes.swap(next);
  });
}
