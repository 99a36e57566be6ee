import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import {
  type RouteMap,
  RouteMapSchema,
  type SignedRouteMap,
  SignedRouteMapSchema,
} from "../../../gen/veltrix/v1/route_map_pb.ts";

/** An Ed25519 signing key for tests, with the `VELTRIX_TRUSTED_KEYS` entry that trusts it. */
export interface TestSigningKey {
  readonly id: string;
  readonly privateKey: CryptoKey;
  /** `id:base64-raw-public-key` */
  readonly trustEntry: string;
}

/** Makes a fresh Ed25519 key pair named `id`. */
export async function makeSigningKey(id: string): Promise<TestSigningKey> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { id, privateKey: pair.privateKey, trustEntry: `${id}:${btoa(String.fromCharCode(...raw))}` };
}

/** Serialises `map` and signs exactly those bytes with `key`. */
export async function signRouteMap(
  key: TestSigningKey,
  map: RouteMap | MessageInitShape<typeof RouteMapSchema>,
): Promise<SignedRouteMap> {
  const routeMap = toBinary(RouteMapSchema, create(RouteMapSchema, map as MessageInitShape<typeof RouteMapSchema>));
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, routeMap));
  return create(SignedRouteMapSchema, { routeMap, keyId: key.id, signature });
}

/** The binary form of a signed map, as `POST /v1/routes` takes it. */
export function signedBytes(signed: SignedRouteMap): Uint8Array<ArrayBuffer> {
  return toBinary(SignedRouteMapSchema, signed);
}

/** The JSON form of a signed map, as `POST /v1/routes` takes it. */
export function signedJson(signed: SignedRouteMap): string {
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  return JSON.stringify({ routeMap: b64(signed.routeMap), keyId: signed.keyId, signature: b64(signed.signature) });
}

/** A small valid map of `version`: `player.*` to `playerTopic`, dead letter veltrix.unrouted. */
export function simpleMap(
  version: bigint,
  playerTopic = "game.player-activity",
): MessageInitShape<typeof RouteMapSchema> {
  return {
    version,
    deadLetterTopic: "veltrix.unrouted",
    routes: [
      { name: "players", match: "player.*", targets: [{ topic: playerTopic }] },
      { name: "treasure", match: "treasure.*", targets: [{ topic: "game.treasure" }] },
    ],
  };
}
