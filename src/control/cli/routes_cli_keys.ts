/**
 * The ops CLI's signing keys: `routes keygen` makes an Ed25519 key pair as files, and
 * {@link signWithKeyFile} signs a route map with the private key file.
 *
 * @module
 */
import { toBinary } from "@bufbuild/protobuf";
import { type RouteMap, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { cliOptions, requiredOption, RoutesCliError } from "./routes_cli_options.ts";
import { signRouteMapBytes } from "../synthetic_route_maps.ts";

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));

/** `keygen --out DIR [--id ID]`: writes DIR/ID.key (private) and DIR/ID.pub, and prints the trusted-keys entry. */
export async function keygen(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = cliOptions(args, { out: { type: "string" }, id: { type: "string" } }, 0);
  const dir = requiredOption(values, "out");
  const id = values.id ??
    `ops-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}-${crypto.randomUUID().slice(0, 4)}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new RoutesCliError(`--id must be 1-64 of [A-Za-z0-9._-]`);
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const privateKey = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  await Deno.mkdir(dir, { recursive: true });
  const keyPath = `${dir}/${id}.key`;
  try {
    await Deno.writeTextFile(keyPath, toBase64(privateKey) + "\n", { createNew: true, mode: 0o600 });
  } catch (error) {
    throw new RoutesCliError(`cannot write ${keyPath}: ${(error as Error).message}`);
  }
  await Deno.writeTextFile(`${dir}/${id}.pub`, toBase64(publicKey) + "\n");
  out(`wrote ${keyPath} (private, keep it secret) and ${dir}/${id}.pub`);
  out(`VELTRIX_TRUSTED_KEYS entry:`);
  out(`${id}:${toBase64(publicKey)}`);
  return 0;
}

/** The binary SignedRouteMap of `map`, signed with the Ed25519 private key in `keyPath`. */
export async function signWithKeyFile(map: RouteMap, keyPath: string, keyId: string): Promise<Uint8Array> {
  let privateKey: CryptoKey;
  try {
    const der = fromBase64(await Deno.readTextFile(keyPath));
    privateKey = await crypto.subtle.importKey("pkcs8", der as BufferSource, { name: "Ed25519" }, false, ["sign"]);
  } catch (error) {
    throw new RoutesCliError(`cannot use ${keyPath} as an Ed25519 private key: ${(error as Error).message}`);
  }
  return await signRouteMapBytes(toBinary(RouteMapSchema, map), privateKey, keyId);
}
