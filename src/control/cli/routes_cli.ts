/**
 * `deno task routes ...`: the ops CLI for route maps. Maps are authored in the RouteMap's
 * protobuf JSON form; the CLI validates them, turns them into binary and signs them, so the edge
 * only ever receives signed protobuf.
 *
 *   keygen --out DIR [--id ID]                      Ed25519 key pair: DIR/ID.key, DIR/ID.pub
 *   validate MAP.json                               every problem, or a summary
 *   sign --key FILE --key-id ID MAP.json --out FILE a binary SignedRouteMap
 *   push --admin URL FILE [--wait [--timeout 30s]]  POST it to an edge's /v1/routes; --wait: until every live edge has it
 *   push --admin URL MAP.json --key FILE --key-id ID [--canary 10% [--salt S] | --canary-claim cohort=beta] [--wait]
 *                                                   sign MAP.json (as a canary for a cohort of players) and push it
 *   promote --admin URL --key FILE --key-id ID [--wait]  the canary becomes the stable map, signed as the next version
 *   abort --admin URL --key FILE --key-id ID [--wait]    the stable map, signed as the next version, ends the canary
 *   status --admin URL [--wait [--timeout 30s]]     every edge, the versions it has in force (stable and canary),
 *                                                   its last refusal, and per-version counts of events; --wait:
 *                                                   first until every live edge has what this edge has in force;
 *                                                   then the tenants and their quotas
 *   show --admin URL                                the map an edge routes by
 *   diff --admin URL MAP.json [--traffic]           which types would route differently, and what changes in
 *                                                   the tenant quotas and their scope; --traffic: a dry run
 *                                                   weighted by the edge's recent traffic
 *
 * Every failure prints a clear message and exits non-zero.
 *
 * @module
 */
import { fromBinary, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { type RouteMap, RouteMapSchema, SignedRouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMap, compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { parseAuthoredRouteMap } from "../authored_route_map.ts";
import { countsTable, fleetTable, waitForRollout } from "./rollout_cli.ts";
import { DRY_RUN_PATH } from "../dry_run_routes.ts";
import { dryRunTable } from "./dry_run_table.ts";
import { type QuotaShareJson, tenantsTable } from "./tenants_table.ts";
import type { TenantQuotaJson } from "../../core/route_map/tenancy.ts";
import type { DryRunReport } from "../../core/fleet/dry_run.ts";
import { formatRouteMapProblems } from "../../core/route_map/route_map_problem.ts";
import { routingDifferences } from "../../core/route_map/routing_diff.ts";
import { tenantQuotaDifferences } from "../../core/route_map/tenancy_diff.ts";
import { adminRequest, fleetOf, pushSignedRouteMap } from "./routes_admin_client.ts";
import { CANARY_OPTIONS, canaryOf, endCanary } from "./routes_cli_canary.ts";
import { keygen, signWithKeyFile } from "./routes_cli_keys.ts";
import {
  ADMIN_OPTIONS,
  adminUrl,
  cliOptions,
  KEY_OPTIONS,
  requiredOption,
  ROUTES_USAGE,
  RoutesCliError,
  timeoutOption,
} from "./routes_cli_options.ts";

/**
 * A command that a composer adds to the CLI (`tools/routes/routes.ts` adds `trace`, which reads
 * Kafka and so cannot live in control). It reports its own failures and returns the exit code.
 */
export interface RoutesCommand {
  /** Its usage line, without `deno task routes`. */
  readonly usage: string;
  run(args: string[], out: (line: string) => void): Promise<number>;
}

/** Runs the CLI with `args`, and any `extra` commands; returns the exit code. */
export async function runRoutesCli(
  args: string[],
  out: (line: string) => void = console.log,
  extra: Readonly<Record<string, RoutesCommand>> = {},
): Promise<number> {
  const [command, ...rest] = args;
  const added = command === undefined ? undefined : extra[command];
  if (added !== undefined && Object.hasOwn(extra, command!)) return await added.run(rest, out);
  const usage = [ROUTES_USAGE, ...Object.values(extra).map((c) => `  ${c.usage}`)].join("\n");
  if (command === "--help" || command === "-h" || command === "help") {
    out(usage);
    return 0;
  }
  try {
    switch (command) {
      case "keygen":
        return await keygen(rest, out);
      case "validate":
        return await validate(rest, out);
      case "sign":
        return await sign(rest, out);
      case "push":
        return await push(rest, out);
      case "promote":
        return await endCanary(rest, out, "promote");
      case "abort":
        return await endCanary(rest, out, "abort");
      case "show":
        return await show(rest, out);
      case "status":
        return await status(rest, out);
      case "diff":
        return await diff(rest, out);
      default:
        throw new RoutesCliError(command === undefined ? usage : `unknown command "${command}"\n${usage}`);
    }
  } catch (error) {
    if (error instanceof RoutesCliError) console.error(`routes: ${error.message}`);
    else console.error(`routes: ${command}: ${(error as Error).message}`);
    return 1;
  }
}

async function readMap(path: string): Promise<RouteMap> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new RoutesCliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseAuthoredRouteMap(text);
  } catch (error) {
    throw new RoutesCliError(`${path} is not a RouteMap in protobuf JSON form: ${(error as Error).message}`);
  }
}

async function readValidMap(path: string): Promise<RouteMap> {
  const map = await readMap(path);
  const result = compileRouteMap(map);
  if (!result.ok) {
    throw new RoutesCliError(`${path} is invalid:\n  ${formatRouteMapProblems(result.problems, "\n  ")}`);
  }
  return map;
}

async function validate(args: string[], out: (line: string) => void): Promise<number> {
  const { files } = cliOptions(args, {}, 1);
  const map = await readValidMap(files[0]!);
  const table = compileRouteMapOrThrow(map);
  out(
    `${files[0]}: valid: version ${map.version}, ${map.routes.length} routes, topics ${table.topics.join(", ")}`,
  );
  return 0;
}

async function sign(args: string[], out: (line: string) => void): Promise<number> {
  const { values, files } = cliOptions(args, { ...KEY_OPTIONS, out: { type: "string" } }, 1);
  const keyPath = requiredOption(values, "key");
  const keyId = requiredOption(values, "key-id");
  const outPath = requiredOption(values, "out");
  const map = await readValidMap(files[0]!);
  await Deno.writeFile(outPath, await signWithKeyFile(map, keyPath, keyId));
  out(`wrote ${outPath}: version ${map.version}, ${map.routes.length} routes, signed by ${keyId}`);
  return 0;
}

const PUSH_OPTIONS = { ...ADMIN_OPTIONS, ...KEY_OPTIONS, ...CANARY_OPTIONS };

async function push(args: string[], out: (line: string) => void): Promise<number> {
  const { values, files } = cliOptions(args, PUSH_OPTIONS, 1);
  adminUrl(values); // where to push is checked before the file is read or signed
  const canary = canaryOf(values);
  let body: Uint8Array;
  if (values.key !== undefined || canary !== undefined) {
    const map = await readValidMap(files[0]!);
    if (canary !== undefined) map.canary = canary;
    body = await signWithKeyFile(map, requiredOption(values, "key"), requiredOption(values, "key-id"));
  } else {
    try {
      body = await Deno.readFile(files[0]!);
      fromBinary(SignedRouteMapSchema, body);
    } catch (error) {
      throw new RoutesCliError(
        `${files[0]} is not a signed route map (make one with "sign"): ${(error as Error).message}`,
      );
    }
  }
  return await pushSignedRouteMap(values, body, out);
}

async function status(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = cliOptions(args, ADMIN_OPTIONS, 0);
  const admin = adminUrl(values);
  let code = 0;
  const routesInForce = async () => {
    const { status, body } = await adminRequest(`${admin}/v1/routes`);
    if (status !== 200) throw new RoutesCliError(`cannot read the edge's maps: HTTP ${status}`);
    return body;
  };
  if (values.wait) {
    // Until every live edge has what this edge has in force: its canary's version while one runs.
    const timeoutMs = timeoutOption(values);
    const body = await routesInForce();
    const canary = body.canary as { version: number | string } | null | undefined;
    const version = BigInt(String(canary?.version ?? body.version));
    code = await waitForRollout({ version, timeoutMs, readFleet: () => fleetOf(admin), out });
  }
  const fleet = await fleetOf(admin);
  for (const line of fleetTable(fleet)) out(line);
  for (const line of countsTable(fleet)) out(line);
  // The quotas of the stable map in force (a canary routes its cohort; the stable map sets quotas).
  const body = await routesInForce();
  const tenants = body.tenants as TenantQuotaJson[] | undefined;
  const share = body.tenantQuotas as QuotaShareJson | undefined;
  if (tenants !== undefined) { for (const line of tenantsTable(tenants, share)) out(line); }
  return code;
}

async function show(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = cliOptions(args, { admin: { type: "string" } }, 0);
  const { status, body } = await adminRequest(`${adminUrl(values)}/v1/routes`);
  if (status !== 200) throw new RoutesCliError(`show failed: HTTP ${status}`);
  out(
    `version ${body.version}, signed by ${
      body.keyId || "(embedded default)"
    }, applied ${body.appliedAt} from ${body.source}`,
  );
  out(JSON.stringify(body.routeMap, null, 2));
  return 0;
}

async function diff(args: string[], out: (line: string) => void): Promise<number> {
  const { values, files } = cliOptions(args, { admin: { type: "string" }, traffic: { type: "boolean" } }, 1);
  const proposed = await readValidMap(files[0]!);
  if (values.traffic) {
    const { status, body } = await adminRequest(`${adminUrl(values)}${DRY_RUN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: toJsonString(RouteMapSchema, proposed),
    });
    if (status !== 200) {
      throw new RoutesCliError(`dry run failed: HTTP ${status}: ${JSON.stringify(body.error ?? body)}`);
    }
    for (const line of dryRunTable(body as unknown as DryRunReport)) out(line);
    return 0;
  }
  const { status, body } = await adminRequest(`${adminUrl(values)}/v1/routes`);
  if (status !== 200) throw new RoutesCliError(`cannot read the edge's map: HTTP ${status}`);
  const current = fromJsonString(RouteMapSchema, JSON.stringify(body.routeMap));
  const changes = routingDifferences(current, proposed);
  out(`version ${current.version} (in force) -> ${proposed.version} (${files[0]})`);
  if (changes.length === 0) out("no event type would route differently");
  for (const change of changes) {
    out(`${change.type}: [${change.before.join(", ")}] -> [${change.after.join(", ")}]`);
  }
  for (const line of tenantQuotaDifferences(current, proposed)) out(line);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runRoutesCli(Deno.args));
}
