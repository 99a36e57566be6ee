/**
 * The ops CLI's canaries: the marker that `push --canary 10%` or `--canary-claim NAME=VALUE` puts
 * on a map ({@link canaryOf}), and `promote` and `abort`, which end a running canary
 * ({@link endCanary}).
 *
 * @module
 */
import { create, fromJsonString } from "@bufbuild/protobuf";
import { type Canary, CanarySchema, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { adminRequest, pushSignedRouteMap } from "./routes_admin_client.ts";
import { signWithKeyFile } from "./routes_cli_keys.ts";
import {
  ADMIN_OPTIONS,
  adminUrl,
  cliOptions,
  KEY_OPTIONS,
  requiredOption,
  RoutesCliError,
} from "./routes_cli_options.ts";

/** The options that mark a pushed map as a canary. */
export const CANARY_OPTIONS = {
  canary: { type: "string" },
  "canary-claim": { type: "string" },
  salt: { type: "string" },
} as const;

/** The canary marker that `--canary 10%` or `--canary-claim NAME=VALUE` asks for; undefined for neither. */
export function canaryOf(values: Record<string, string | undefined>): Canary | undefined {
  const share = values.canary;
  const claim = values["canary-claim"];
  if (share !== undefined && claim !== undefined) throw new RoutesCliError("give --canary or --canary-claim, not both");
  if (share !== undefined) {
    const match = /^(\d+(?:\.\d{1,2})?)%?$/.exec(share.trim());
    const basisPoints = match === null ? NaN : Math.round(Number(match[1]) * 100);
    if (!(basisPoints >= 1 && basisPoints <= 10_000)) {
      throw new RoutesCliError(`--canary must be a share of players from 0.01% to 100%, such as 10%, got "${share}"`);
    }
    const salt = values.salt ?? crypto.randomUUID().slice(0, 8);
    return create(CanarySchema, { basisPoints, salt });
  }
  if (claim !== undefined) {
    const at = claim.indexOf("=");
    if (at <= 0 || at === claim.length - 1) {
      throw new RoutesCliError(`--canary-claim must be NAME=VALUE, such as cohort=beta, got "${claim}"`);
    }
    return create(CanarySchema, { claim: claim.slice(0, at), claimValue: claim.slice(at + 1) });
  }
  if (values.salt !== undefined) throw new RoutesCliError("--salt goes with --canary");
  return undefined;
}

/**
 * `promote`: the canary's map, and `abort`: the stable map, each signed again without the canary
 * marker as the version after the canary's; either ends the canary on every edge that applies it.
 */
export async function endCanary(
  args: string[],
  out: (line: string) => void,
  action: "promote" | "abort",
): Promise<number> {
  const { values } = cliOptions(args, { ...ADMIN_OPTIONS, ...KEY_OPTIONS }, 0);
  const keyPath = requiredOption(values, "key");
  const keyId = requiredOption(values, "key-id");
  const { status, body } = await adminRequest(`${adminUrl(values)}/v1/routes`);
  if (status !== 200) throw new RoutesCliError(`cannot read the edge's maps: HTTP ${status}`);
  const canary = body.canary as { version: number | string; cohort: string; routeMap: unknown } | null | undefined;
  if (canary === undefined || canary === null) {
    throw new RoutesCliError(`no canary runs on ${adminUrl(values)}: nothing to ${action}`);
  }
  const source = action === "promote" ? canary.routeMap : body.routeMap;
  const map = fromJsonString(RouteMapSchema, JSON.stringify(source));
  map.canary = undefined;
  map.version = BigInt(canary.version) + 1n;
  out(
    action === "promote"
      ? `promoting canary version ${canary.version} (${canary.cohort}) as stable version ${map.version}`
      : `aborting canary version ${canary.version} (${canary.cohort}): stable version ${body.version} again as version ${map.version}`,
  );
  return await pushSignedRouteMap(values, await signWithKeyFile(map, keyPath, keyId), out);
}
