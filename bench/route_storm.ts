/**
 * Signed route updates at a fixed rate, as an ops tool would post them during a live event. Every
 * map routes the treasure-hunt mix exactly as the embedded default does, plus one route of its own,
 * so each update is a real change that the read-back can still check.
 *
 * @module
 */
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type RouteMap, RouteMapSchema, SignedRouteMapSchema } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { defaultRouteMap } from "../src/core/mod.ts";

/** An Ed25519 key for signing the storm's maps, with the `VELTRIX_TRUSTED_KEYS` entry for it. */
export interface StormKey {
  readonly trustEntry: string;
  readonly keyId: string;
  readonly privateKey: CryptoKey;
}

/** Makes a fresh signing key. */
export async function makeStormKey(keyId = "bench-storm"): Promise<StormKey> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { keyId, privateKey: pair.privateKey, trustEntry: `${keyId}:${btoa(String.fromCharCode(...raw))}` };
}

/** `map` serialised and signed with `key`, as the bytes `POST /v1/routes` takes (`application/x-protobuf`). */
export async function signedMapBytes(
  key: StormKey,
  map: RouteMap | MessageInitShape<typeof RouteMapSchema>,
): Promise<Uint8Array<ArrayBuffer>> {
  const routeMap = toBinary(RouteMapSchema, create(RouteMapSchema, map as MessageInitShape<typeof RouteMapSchema>));
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, routeMap));
  return toBinary(SignedRouteMapSchema, create(SignedRouteMapSchema, { routeMap, keyId: key.keyId, signature }));
}

/** What a storm did. */
export interface StormReport {
  readonly posted: number;
  readonly applied: number;
  readonly refused: number;
  /** Round trip of each POST, in ms. */
  readonly postMs: number[];
}

/**
 * Posts signed maps of versions `firstVersion`, `firstVersion + 1`, … to `adminUrl` at `perSecond`
 * until `until` (epoch ms). Maps are signed before the storm starts, so signing costs nothing in it.
 */
export async function runRouteStorm(
  adminUrl: string,
  key: StormKey,
  options: { perSecond: number; startAt: number; until: number; firstVersion: bigint },
): Promise<StormReport> {
  const count = Math.ceil((options.until - options.startAt) / 1000 * options.perSecond);
  const bodies: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < count; i++) {
    const map = defaultRouteMap();
    map.version = options.firstVersion + BigInt(i);
    map.routes.push(
      create(RouteMapSchema, {
        routes: [{ name: `storm-${i}`, match: `bench.storm-${i}`, targets: [{ topic: "game.player-activity" }] }],
      }).routes[0]!,
    );
    bodies.push(await signedMapBytes(key, map));
  }
  const report = { posted: 0, applied: 0, refused: 0, postMs: [] as number[] };
  for (let i = 0; i < count; i++) {
    const due = options.startAt + i * 1000 / options.perSecond;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    const t = performance.now();
    const response = await fetch(`${adminUrl}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: bodies[i],
    });
    await response.body?.cancel();
    report.postMs.push(performance.now() - t);
    report.posted++;
    response.ok ? report.applied++ : report.refused++;
  }
  return report;
}
