/**
 * Route-update apply time, verify through swap, for maps of 10, 100, 1,000 and 10,000 routes:
 * RouteControl.update with real Ed25519 verification, decode, compile and swap (no disk, no Kafka:
 * persisting and publishing happen after the swap and are not part of apply time). Prints min,
 * median, p99 and max per size.
 *
 *   deno run -A tools/bench/route_apply.ts [--runs 200]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ActiveRouteTable, compileRouteMapOrThrow, defaultRouteMap, TrustedKeys } from "../../src/core/mod.ts";
import { RouteControl, signRouteMapBytes, syntheticRouteMapBytes } from "../../src/control/mod.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "200" } } });
const runs = Number(values.runs);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
const keys = await TrustedKeys.import([{ id: "bench", publicKey: raw }]);

console.log("routes  bytes     runs  min_ms  median_ms  p99_ms  max_ms");
for (const size of [10, 100, 1_000, 10_000]) {
  const count = size >= 10_000 ? Math.max(20, Math.floor(runs / 10)) : runs;
  const control = new RouteControl({
    active: new ActiveRouteTable(compileRouteMapOrThrow(defaultRouteMap())),
    keys,
    maxBytes: 64 * 1024 * 1024,
    logger: quiet,
  });
  const updates = await Promise.all(
    Array.from(
      { length: count + 5 },
      (_, i) => signRouteMapBytes(syntheticRouteMapBytes(size, BigInt(i + 2)), pair.privateKey, "bench"),
    ),
  );
  const times: number[] = [];
  for (const [i, update] of updates.entries()) {
    const outcome = await control.update(update);
    if (!outcome.ok) throw outcome.error;
    if (i >= 5) times.push(outcome.applied.applyMs); // the first five warm the JIT up
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  console.log(
    [
      String(size).padEnd(7),
      String(updates[0]!.length).padEnd(9),
      String(count).padEnd(5),
      times[0]!.toFixed(3).padEnd(7),
      q(0.5).padEnd(10),
      q(0.99).padEnd(7),
      times.at(-1)!.toFixed(3),
    ].join(" "),
  );
}
