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

/** Payload schemas of a synthetic map. */
export interface SyntheticSchemas {
  /** How many: one each for the first exact-type routes. */
  readonly count: number;
  /** Goes into each schema's text: the same tag gives the same texts (reusable), a new one new texts. */
  readonly tag: string;
}

/**
 * A synthetic RouteMap of `routes` routes and `version`, in binary form; with `schemas`, it also
 * carries that many payload schemas (an object with a few typed, bounded, patterned properties).
 * With `routeTag`, every route's name carries it: a new tag in each update changes every route.
 */
export function syntheticRouteMapBytes(
  routes: number,
  version: bigint,
  schemas?: SyntheticSchemas,
  routeTag = "",
): Uint8Array {
  const topic = (i: number) => `game.topic-${i % 20}`;
  return toBinary(
    RouteMapSchema,
    create(RouteMapSchema, {
      version,
      deadLetterTopic: "veltrix.unrouted",
      schemas: Array.from({ length: Math.min(schemas?.count ?? 0, Math.ceil(routes / 2)) }, (_, s) => ({
        match: `zone-${(s * 2) % 50}.event-${s * 2}`,
        jsonSchema: JSON.stringify({
          $comment: `${schemas!.tag}-${s}`,
          type: "object",
          required: ["x", "y"],
          properties: {
            x: { type: "integer", minimum: 0, maximum: 4096 },
            y: { type: "integer", minimum: 0, maximum: 4096 },
            label: { type: "string", maxLength: 32, pattern: "^[a-z0-9-]+$" },
            tags: { type: "array", items: { type: "string" }, maxItems: 8 },
          },
          additionalProperties: false,
        }),
      })),
      routes: Array.from({ length: routes }, (_, i) => ({
        name: `route-${i}${routeTag}`,
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
