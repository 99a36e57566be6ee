import { fromBinary } from "@bufbuild/protobuf";
import { type SignedRouteMap, SignedRouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { decodeRoutableMap } from "../core/route_map/decode_route_map.ts";

/**
 * The version a route update says it carries, read without verifying anything: for reporting a
 * refusal only ("refused version 7"), never for deciding. Undefined when it cannot be read.
 */
export function claimedRouteMapVersion(input: Uint8Array | { readonly signed: SignedRouteMap }): bigint | undefined {
  try {
    const signed = input instanceof Uint8Array ? fromBinary(SignedRouteMapSchema, input) : input.signed;
    return decodeRoutableMap(signed.routeMap).version;
  } catch {
    return undefined;
  }
}
