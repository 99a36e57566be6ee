import { fromBinary } from "@bufbuild/protobuf";
import { type SignedRouteMap, SignedRouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { type PayloadSchemaSources, precompilePayloadSchemas } from "../route_map/compile_payload_schemas.ts";
import { compileRouteMap } from "../route_map/compile_route_map.ts";
import { formatRouteMapProblems, type RouteMapProblem } from "../route_map/route_map_problem.ts";
import { decodeRoutableMap } from "../route_map/decode_route_map.ts";
import type { RoutableMap } from "../route_map/routable_map.ts";
import type { RouteTable } from "../route_map/route_table.ts";
import type { TrustedKeys } from "./trusted_keys.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

/** Largest signed route map accepted by default, in bytes (a 10,000-route map is about 0.6 MB). */
export const DEFAULT_MAX_ROUTE_UPDATE_BYTES = 8 * 1024 * 1024;

/** A route update that passed every check and is ready to swap in. */
export interface VerifiedRouteUpdate {
  readonly signed: SignedRouteMap;
  /** The decoded fields of `signed.routeMap`. */
  readonly routeMap: RoutableMap;
  readonly table: RouteTable;
  readonly keyId: string;
}

/** Why a route update was refused. */
export interface RefusedRouteUpdate {
  readonly error: VeltrixError;
  /** Every validation problem, for INVALID_ROUTE_MAP. */
  readonly problems?: readonly RouteMapProblem[];
}

/** What a route update is checked against. */
export interface RouteUpdateContext {
  readonly keys: TrustedKeys;
  /** The version in force (the canary's, while one runs): an update must be strictly greater. */
  readonly currentVersion: bigint;
  readonly maxBytes: number;
  /**
   * The table in force: routes the update repeats byte for byte are neither decoded nor compiled
   * again (see `decodeRoutableMap` and `compileRouteMap`).
   */
  readonly table?: RouteTable;
  /** Where payload schema validators come from: the table in force's, so that unchanged ones are reused. */
  readonly schemas?: PayloadSchemaSources;
  /**
   * Awaited after each new payload schema is compiled, so that the caller's other work can run
   * between two compiles (the edge passes a macrotask). @default a resolved promise
   */
  readonly pause?: () => Promise<void>;
}

/**
 * Runs steps 1 to 5 of a route update, in order, stopping at the first that fails:
 * 1. size cap; 2. decode the SignedRouteMap; 3. verify its Ed25519 signature over exactly the
 * `route_map` bytes against a trusted key; 4. decode the RouteMap and require a version strictly
 * greater than the current one; 5. validate and compile. Swapping (step 6) is the caller's.
 * Takes the raw bytes of a SignedRouteMap, or one already decoded (for example from JSON) with the
 * size of its source.
 */
export async function verifyRouteUpdate(
  input: Uint8Array | { readonly signed: SignedRouteMap; readonly size: number },
  context: RouteUpdateContext,
): Promise<VerifiedRouteUpdate | RefusedRouteUpdate> {
  const size = input instanceof Uint8Array ? input.byteLength : input.size;
  if (size > context.maxBytes) {
    return refuse("ROUTE_UPDATE_TOO_LARGE", `route update is ${size} bytes; the cap is ${context.maxBytes}`);
  }

  let signed: SignedRouteMap;
  if (input instanceof Uint8Array) {
    try {
      signed = fromBinary(SignedRouteMapSchema, input);
    } catch (cause) {
      return refuse("MALFORMED_ROUTE_UPDATE", `not a SignedRouteMap: ${(cause as Error).message}`);
    }
  } else {
    signed = input.signed;
  }
  if (signed.routeMap.byteLength === 0) return refuse("MALFORMED_ROUTE_UPDATE", "route_map is empty");

  const key = context.keys.get(signed.keyId);
  if (key === undefined) {
    return refuse("UNKNOWN_SIGNING_KEY", `key id "${signed.keyId}" is not trusted`);
  }
  const valid = signed.signature.byteLength === 64 &&
    await crypto.subtle.verify(
      { name: "Ed25519" },
      key,
      signed.signature as BufferSource,
      signed.routeMap as BufferSource,
    );
  if (!valid) return refuse("BAD_SIGNATURE", `signature does not verify against key "${signed.keyId}"`);

  let routeMap: RoutableMap;
  try {
    routeMap = decodeRoutableMap(signed.routeMap, context.table?.map);
  } catch (cause) {
    return refuse("MALFORMED_ROUTE_UPDATE", `route_map is not a RouteMap: ${(cause as Error).message}`);
  }
  if (routeMap.version <= context.currentVersion) {
    return refuse(
      "STALE_ROUTE_MAP",
      `version ${routeMap.version} is not greater than the version in force, ${context.currentVersion}`,
    );
  }

  const schemas = context.schemas ?? {};
  const previous = await precompilePayloadSchemas(routeMap, schemas, context.pause ?? (() => Promise.resolve()));
  const compiled = compileRouteMap(routeMap, { ...schemas, previous }, context.table);
  if (!compiled.ok) {
    return {
      error: new VeltrixError(
        "INVALID_ROUTE_MAP",
        `route map is invalid: ${formatRouteMapProblems(compiled.problems)}`,
      ),
      problems: compiled.problems,
    };
  }
  return { signed, routeMap, table: compiled.table, keyId: signed.keyId };
}

/** True when `result` passed every check. */
export function isVerified(result: VerifiedRouteUpdate | RefusedRouteUpdate): result is VerifiedRouteUpdate {
  return "table" in result;
}

function refuse(code: VeltrixError["code"], message: string): RefusedRouteUpdate {
  return { error: new VeltrixError(code, message) };
}
