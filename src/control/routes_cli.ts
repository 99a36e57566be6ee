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
 *                                                   first until every live edge has what this edge has in force
 *   show --admin URL                                the map an edge routes by
 *   diff --admin URL MAP.json [--traffic]           which types would route differently; --traffic:
 *                                                   a dry run weighted by the edge's recent traffic
 *
 * Every failure prints a clear message and exits non-zero.
 *
 * @module
 */
import { create, fromBinary, fromJsonString, toBinary, toJsonString } from "@bufbuild/protobuf";
import { parseArgs } from "node:util";
import {
  type Canary,
  CanarySchema,
  type RouteMap,
  RouteMapSchema,
  SignedRouteMapSchema,
} from "../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMap, compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { parseAuthoredRouteMap } from "./authored_route_map.ts";
import { countsTable, type FleetAnswer, fleetTable, parseDuration, waitForRollout } from "./rollout_cli.ts";
import { DRY_RUN_PATH } from "./dry_run_routes.ts";
import { dryRunTable } from "./dry_run_table.ts";
import type { DryRunReport } from "../core/fleet/dry_run.ts";
import { formatRouteMapProblems, type RouteMapProblem } from "../core/route_map/route_map_problem.ts";
import { routingDifferences } from "../core/route_map/routing_diff.ts";

/** A CLI failure: printed as it is, exit code 1. */
class CliError extends Error {}

const USAGE = `usage: deno task routes <command>
  keygen --out DIR [--id ID]
  validate MAP.json
  sign --key FILE --key-id ID MAP.json --out FILE
  push --admin URL FILE [--wait [--timeout 30s]]
  push --admin URL MAP.json --key FILE --key-id ID [--canary 10% [--salt S] | --canary-claim NAME=VALUE] [--wait]
  promote --admin URL --key FILE --key-id ID [--wait [--timeout 30s]]
  abort --admin URL --key FILE --key-id ID [--wait [--timeout 30s]]
  status --admin URL [--wait [--timeout 30s]]
  show --admin URL
  diff --admin URL MAP.json [--traffic]`;

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
  const usage = [USAGE, ...Object.values(extra).map((c) => `  ${c.usage}`)].join("\n");
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
        throw new CliError(command === undefined ? usage : `unknown command "${command}"\n${usage}`);
    }
  } catch (error) {
    if (error instanceof CliError) console.error(`routes: ${error.message}`);
    else console.error(`routes: ${command}: ${(error as Error).message}`);
    return 1;
  }
}

function options(args: string[], spec: Record<string, { type: "string" | "boolean" }>, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n${USAGE}`);
  }
  if (parsed.positionals.length !== positionals) {
    throw new CliError(`expected ${positionals} file argument(s), got ${parsed.positionals.length}\n${USAGE}`);
  }
  return { values: parsed.values as Record<string, string | undefined>, files: parsed.positionals };
}

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (value === undefined || value === "") throw new CliError(`--${name} is required\n${USAGE}`);
  return value;
}

async function readMap(path: string): Promise<RouteMap> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseAuthoredRouteMap(text);
  } catch (error) {
    throw new CliError(`${path} is not a RouteMap in protobuf JSON form: ${(error as Error).message}`);
  }
}

async function readValidMap(path: string): Promise<RouteMap> {
  const map = await readMap(path);
  const result = compileRouteMap(map);
  if (!result.ok) {
    throw new CliError(`${path} is invalid:\n  ${formatRouteMapProblems(result.problems, "\n  ")}`);
  }
  return map;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));

async function keygen(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = options(args, { out: { type: "string" }, id: { type: "string" } }, 0);
  const dir = required(values, "out");
  const id = values.id ??
    `ops-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}-${crypto.randomUUID().slice(0, 4)}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new CliError(`--id must be 1-64 of [A-Za-z0-9._-]`);
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const privateKey = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  await Deno.mkdir(dir, { recursive: true });
  const keyPath = `${dir}/${id}.key`;
  try {
    await Deno.writeTextFile(keyPath, toBase64(privateKey) + "\n", { createNew: true, mode: 0o600 });
  } catch (error) {
    throw new CliError(`cannot write ${keyPath}: ${(error as Error).message}`);
  }
  await Deno.writeTextFile(`${dir}/${id}.pub`, toBase64(publicKey) + "\n");
  out(`wrote ${keyPath} (private, keep it secret) and ${dir}/${id}.pub`);
  out(`VELTRIX_TRUSTED_KEYS entry:`);
  out(`${id}:${toBase64(publicKey)}`);
  return 0;
}

async function validate(args: string[], out: (line: string) => void): Promise<number> {
  const { files } = options(args, {}, 1);
  const map = await readValidMap(files[0]!);
  const table = compileRouteMapOrThrow(map);
  out(
    `${files[0]}: valid: version ${map.version}, ${map.routes.length} routes, topics ${table.topics.join(", ")}`,
  );
  return 0;
}

async function sign(args: string[], out: (line: string) => void): Promise<number> {
  const { values, files } = options(args, {
    key: { type: "string" },
    "key-id": { type: "string" },
    out: { type: "string" },
  }, 1);
  const keyPath = required(values, "key");
  const keyId = required(values, "key-id");
  const outPath = required(values, "out");
  const map = await readValidMap(files[0]!);
  await Deno.writeFile(outPath, await signMap(map, keyPath, keyId));
  out(`wrote ${outPath}: version ${map.version}, ${map.routes.length} routes, signed by ${keyId}`);
  return 0;
}

/** The binary SignedRouteMap of `map`, signed with the Ed25519 private key in `keyPath`. */
async function signMap(map: RouteMap, keyPath: string, keyId: string): Promise<Uint8Array> {
  let privateKey: CryptoKey;
  try {
    const der = fromBase64(await Deno.readTextFile(keyPath));
    privateKey = await crypto.subtle.importKey("pkcs8", der as BufferSource, { name: "Ed25519" }, false, ["sign"]);
  } catch (error) {
    throw new CliError(`cannot use ${keyPath} as an Ed25519 private key: ${(error as Error).message}`);
  }
  const routeMap = toBinary(RouteMapSchema, map);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, routeMap as BufferSource));
  return toBinary(SignedRouteMapSchema, create(SignedRouteMapSchema, { routeMap, keyId, signature }));
}

async function request(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new CliError(`cannot reach ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new CliError(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

function adminUrl(values: Record<string, string | undefined>): string {
  return required(values, "admin").replace(/\/+$/, "");
}

const PUSH_OPTIONS = {
  admin: { type: "string" },
  wait: { type: "boolean" },
  timeout: { type: "string" },
  key: { type: "string" },
  "key-id": { type: "string" },
  canary: { type: "string" },
  "canary-claim": { type: "string" },
  salt: { type: "string" },
} as const;

async function push(args: string[], out: (line: string) => void): Promise<number> {
  const { values, files } = options(args, PUSH_OPTIONS, 1);
  const canary = canaryOf(values);
  let body: Uint8Array;
  if (values.key !== undefined || canary !== undefined) {
    const map = await readValidMap(files[0]!);
    if (canary !== undefined) map.canary = canary;
    body = await signMap(map, required(values, "key"), required(values, "key-id"));
  } else {
    try {
      body = await Deno.readFile(files[0]!);
      fromBinary(SignedRouteMapSchema, body);
    } catch (error) {
      throw new CliError(`${files[0]} is not a signed route map (make one with "sign"): ${(error as Error).message}`);
    }
  }
  return await pushSigned(values, body, out);
}

/** The canary marker that `--canary 10%` or `--canary-claim NAME=VALUE` asks for; undefined for neither. */
export function canaryOf(values: Record<string, string | undefined>): Canary | undefined {
  const share = values.canary;
  const claim = values["canary-claim"];
  if (share !== undefined && claim !== undefined) throw new CliError("give --canary or --canary-claim, not both");
  if (share !== undefined) {
    const match = /^(\d+(?:\.\d{1,2})?)%?$/.exec(share.trim());
    const basisPoints = match === null ? NaN : Math.round(Number(match[1]) * 100);
    if (!(basisPoints >= 1 && basisPoints <= 10_000)) {
      throw new CliError(`--canary must be a share of players from 0.01% to 100%, such as 10%, got "${share}"`);
    }
    const salt = values.salt ?? crypto.randomUUID().slice(0, 8);
    return create(CanarySchema, { basisPoints, salt });
  }
  if (claim !== undefined) {
    const at = claim.indexOf("=");
    if (at <= 0 || at === claim.length - 1) {
      throw new CliError(`--canary-claim must be NAME=VALUE, such as cohort=beta, got "${claim}"`);
    }
    return create(CanarySchema, { claim: claim.slice(0, at), claimValue: claim.slice(at + 1) });
  }
  if (values.salt !== undefined) throw new CliError("--salt goes with --canary");
  return undefined;
}

/**
 * `promote`: the canary's map, and `abort`: the stable map, each signed again without the canary
 * marker as the version after the canary's; either ends the canary on every edge that applies it.
 */
async function endCanary(args: string[], out: (line: string) => void, action: "promote" | "abort"): Promise<number> {
  const spec = {
    admin: PUSH_OPTIONS.admin,
    wait: PUSH_OPTIONS.wait,
    timeout: PUSH_OPTIONS.timeout,
    key: PUSH_OPTIONS.key,
    "key-id": PUSH_OPTIONS["key-id"],
  };
  const { values } = options(args, spec, 0);
  const keyPath = required(values, "key");
  const keyId = required(values, "key-id");
  const { status, body } = await request(`${adminUrl(values)}/v1/routes`);
  if (status !== 200) throw new CliError(`cannot read the edge's maps: HTTP ${status}`);
  const canary = body.canary as { version: number | string; cohort: string; routeMap: unknown } | null | undefined;
  if (canary === undefined || canary === null) {
    throw new CliError(`no canary runs on ${adminUrl(values)}: nothing to ${action}`);
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
  return await pushSigned(values, await signMap(map, keyPath, keyId), out);
}

/** POSTs a signed map to the edge's admin API, and with --wait follows it across the fleet. */
async function pushSigned(
  values: Record<string, string | undefined>,
  body: Uint8Array,
  out: (line: string) => void,
): Promise<number> {
  const admin = adminUrl(values);
  const timeoutMs = parseDuration(values.timeout ?? "30s");
  if (timeoutMs === undefined) throw new CliError(`--timeout must be a duration such as 30s, got "${values.timeout}"`);
  const { status, body: answer } = await request(`${admin}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: body as BodyInit,
  });
  if (status !== 200) {
    const error = answer.error as { code?: string; message?: string } | undefined;
    const listed = answer.problems as RouteMapProblem[] | undefined;
    const problems = listed?.length ? `\n  ${formatRouteMapProblems(listed, "\n  ")}` : "";
    const current = answer.currentVersion === undefined ? "" : ` (version in force: ${answer.currentVersion})`;
    throw new CliError(`push refused: HTTP ${status} ${error?.code}: ${error?.message}${current}${problems}`);
  }
  const as = answer.cohort === undefined ? "" : ` as a canary for ${answer.cohort} of players`;
  out(
    `applied version ${answer.version}${as} (${answer.routes} routes) in ${answer.applyMs} ms; published to the route map topic: ${answer.published}`,
  );
  if (!values.wait) return 0;
  const readFleet = () => fleetOf(admin);
  return await waitForRollout({ version: BigInt(String(answer.version)), timeoutMs, readFleet, out });
}

async function fleetOf(admin: string): Promise<FleetAnswer> {
  const { status, body } = await request(`${admin}/v1/fleet`);
  if (status !== 200) throw new CliError(`cannot read the fleet from ${admin}: HTTP ${status}`);
  return body as unknown as FleetAnswer;
}

async function status(args: string[], out: (line: string) => void): Promise<number> {
  const spec = { admin: PUSH_OPTIONS.admin, wait: PUSH_OPTIONS.wait, timeout: PUSH_OPTIONS.timeout };
  const { values } = options(args, spec, 0);
  const admin = adminUrl(values);
  let code = 0;
  if (values.wait) {
    // Until every live edge has what this edge has in force: its canary's version while one runs.
    const timeoutMs = parseDuration(values.timeout ?? "30s");
    if (timeoutMs === undefined) {
      throw new CliError(`--timeout must be a duration such as 30s, got "${values.timeout}"`);
    }
    const { status, body } = await request(`${admin}/v1/routes`);
    if (status !== 200) throw new CliError(`cannot read the edge's maps: HTTP ${status}`);
    const canary = body.canary as { version: number | string } | null | undefined;
    const version = BigInt(String(canary?.version ?? body.version));
    code = await waitForRollout({ version, timeoutMs, readFleet: () => fleetOf(admin), out });
  }
  const fleet = await fleetOf(admin);
  for (const line of fleetTable(fleet)) out(line);
  for (const line of countsTable(fleet)) out(line);
  return code;
}

async function show(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = options(args, { admin: { type: "string" } }, 0);
  const { status, body } = await request(`${adminUrl(values)}/v1/routes`);
  if (status !== 200) throw new CliError(`show failed: HTTP ${status}`);
  out(
    `version ${body.version}, signed by ${
      body.keyId || "(embedded default)"
    }, applied ${body.appliedAt} from ${body.source}`,
  );
  out(JSON.stringify(body.routeMap, null, 2));
  return 0;
}

async function diff(args: string[], out: (line: string) => void): Promise<number> {
  const { values, files } = options(args, { admin: { type: "string" }, traffic: { type: "boolean" } }, 1);
  const proposed = await readValidMap(files[0]!);
  if (values.traffic) {
    const { status, body } = await request(`${adminUrl(values)}${DRY_RUN_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: toJsonString(RouteMapSchema, proposed),
    });
    if (status !== 200) throw new CliError(`dry run failed: HTTP ${status}: ${JSON.stringify(body.error ?? body)}`);
    for (const line of dryRunTable(body as unknown as DryRunReport)) out(line);
    return 0;
  }
  const { status, body } = await request(`${adminUrl(values)}/v1/routes`);
  if (status !== 200) throw new CliError(`cannot read the edge's map: HTTP ${status}`);
  const current = fromJsonString(RouteMapSchema, JSON.stringify(body.routeMap));
  const changes = routingDifferences(current, proposed);
  out(`version ${current.version} (in force) -> ${proposed.version} (${files[0]})`);
  if (changes.length === 0) out("no event type would route differently");
  for (const change of changes) {
    out(`${change.type}: [${change.before.join(", ")}] -> [${change.after.join(", ")}]`);
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runRoutesCli(Deno.args));
}
