/**
 * Synthetic route maps of a chosen size, and signed updates of them, for benchmarks of the update
 * pipeline: half the routes are exact types, most of the rest prefix patterns, one in a hundred
 * `*`; one or two targets each, from a pool of 20 topics (so no update needs a new topic). Used by
 * the micro bench `route_apply_bench.ts` and by the load benchmark's `route-apply` scenario
 * (`bench/route_apply.ts`).
 *
 * @module
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { Format, KeyStrategy, RouteMapSchema, SignedRouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";

/** A synthetic RouteMap of `routes` routes and `version`, in binary form. */
export function syntheticRouteMapBytes(routes: number, version: bigint): Uint8Array {
  const topic = (i: number) => `game.topic-${i % 20}`;
  return toBinary(
    RouteMapSchema,
    create(RouteMapSchema, {
      version,
      deadLetterTopic: "veltrix.unrouted",
      routes: Array.from({ length: routes }, (_, i) => ({
        name: `route-${i}`,
        match: i % 100 === 99 ? "*" : i % 2 === 0 ? `zone-${i % 50}.event-${i}` : `zone-${i % 50}.group-${i}.*`,
        targets: i % 3 === 0
          ? [{ topic: topic(i) }, { topic: topic(i + 7), key: KeyStrategy.EVENT_TYPE, format: Format.JSON }]
          : [{ topic: topic(i) }],
      })),
    }),
  );
}

/** Signs the RouteMap bytes `routeMap` with the Ed25519 `key` as `keyId` and returns the SignedRouteMap bytes. */
export async function signRouteMapBytes(routeMap: Uint8Array, key: CryptoKey, keyId: string): Promise<Uint8Array> {
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, routeMap as BufferSource));
  return toBinary(SignedRouteMapSchema, create(SignedRouteMapSchema, { routeMap, keyId, signature }));
}
