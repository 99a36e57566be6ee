/**
 * Bounded fuzzing of route updates: `verifyRouteUpdate` over random bytes and mutated signed maps,
 * `compileRouteMap` over random route maps, and `decodeRoutableMap` against protobuf-es
 * `fromBinary` over valid, mutated, random and grammar-generated wire bytes.
 *
 * Every run prints how many inputs it tried. fast-check prints the seed and path of a failure;
 * rerun with `FUZZ_SEED=<seed>` to reproduce it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { fuzz, fuzzParameters } from "../testing/fuzz.ts";
import { RouteMapSchema, type SignedRouteMap, SignedRouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "./testing/route_signing.ts";
import { compileRouteMap } from "../route_map/compile_route_map.ts";
import { decodeRoutableMap } from "../route_map/decode_route_map.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import type { RoutableMap, TenantQuotaSource } from "../route_map/routable_map.ts";
import { topicNameProblem } from "../route_map/topic_name.ts";
import { parseTrustedKeys, TrustedKeys } from "./trusted_keys.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";
import {
  DEFAULT_MAX_ROUTE_UPDATE_BYTES,
  isVerified,
  type RouteUpdateContext,
  verifyRouteUpdate,
} from "./verify_route_update.ts";

// ---------------------------------------------------------------------------------------------
// Running

/** Like {@link fuzz}, for an async check. */
async function fuzzAsync<T>(
  what: string,
  numRuns: number,
  input: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
): Promise<void> {
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(input, async (value) => {
      tried++;
      await check(value);
    }),
    fuzzParameters(numRuns),
  );
  console.log(`fuzzed ${tried} ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Route maps: generators and an independent model of what compile must do

const UINT64_MAX = (1n << 64n) - 1n;

type TargetInit = { topic: string; key: number; format: number };
type RouteInit = { name: string; match: string; targets: TargetInit[] };
type CanaryInit = { basisPoints: number; salt: string; claim: string; claimValue: string };
type RouteMapInit = { version: bigint; deadLetterTopic: string; routes: RouteInit[]; canary?: CanaryInit };

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const utf16 = (maxLength: number) => fc.string({ unit: codeUnit, maxLength });

const eventType = fc.stringMatching(/^[a-z0-9_-]{1,6}(\.[a-z0-9_-]{1,6}){0,2}$/);
const match = fc.oneof(
  { weight: 4, arbitrary: eventType },
  { weight: 4, arbitrary: eventType.map((t) => `${t}.*`) },
  { weight: 1, arbitrary: fc.constant("*") },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom("", ".*", "*.*", "**", "a.*.*", "A.b", "a b", "a*", "*a", "a.**", ".", "a..*", "é.*"),
      fc.integer({ min: 126, max: 131 }).map((n) => "m".repeat(n)),
      fc.integer({ min: 126, max: 131 }).map((n) => `${"p".repeat(n)}.*`),
      utf16(6),
    ),
  },
);
const topic = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("game.a", "game.b", "game.c", "veltrix.unrouted") },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom("", ".", "..", "bad topic", "topic/1", "é", "*"),
      fc.integer({ min: 247, max: 252 }).map((n) => "t".repeat(n)),
      utf16(6),
    ),
  },
);
const name = fc.oneof(fc.constantFrom("", "a", "b", "players", "treasure"), fc.string({ maxLength: 6 }));
const enumValue = fc.integer({ min: -2, max: 8 });
const target: fc.Arbitrary<TargetInit> = fc.record({ topic, key: enumValue, format: enumValue });
const route: fc.Arbitrary<RouteInit> = fc.record({
  name,
  match,
  targets: fc.array(target, { maxLength: 3 }),
});
/** Any canary marker: empty, a share (in range or not), a claim (with or without its value), or both. */
const canary: fc.Arbitrary<CanaryInit> = fc.record({
  basisPoints: fc.oneof(fc.constantFrom(0, 1, 1_000, 10_000, 10_001), fc.integer({ min: 0, max: 0xffffffff })),
  salt: fc.constantFrom("", "s1"),
  claim: fc.constantFrom("", "cohort"),
  claimValue: fc.constantFrom("", "beta"),
});
/** Canary markers that name one cohort, as `routes push --canary` and `--canary-claim` sign them. */
const validCanary: fc.Arbitrary<CanaryInit> = fc.oneof(
  fc.record({
    basisPoints: fc.integer({ min: 1, max: 10_000 }),
    salt: fc.constantFrom("", "s1"),
    claim: fc.constant(""),
    claimValue: fc.constant(""),
  }),
  fc.record({
    basisPoints: fc.constant(0),
    salt: fc.constant(""),
    claim: fc.constant("cohort"),
    claimValue: fc.constant("beta"),
  }),
);
/** `map` with `marker` as its canary, or as a stable map when there is none. */
const withCanary = ([map, marker]: [RouteMapInit, CanaryInit | null]): RouteMapInit =>
  marker === null ? map : { ...map, canary: marker };
const routeMap: fc.Arbitrary<RouteMapInit> = fc.tuple(
  fc.record({
    version: fc.oneof(fc.bigInt({ min: 0n, max: 8n }), fc.bigInt({ min: 0n, max: UINT64_MAX })),
    deadLetterTopic: fc.oneof(fc.constant(""), topic),
    routes: fc.array(route, { maxLength: 6 }),
  }),
  fc.option(canary, { freq: 3 }),
).map(withCanary);
/** Maps that are mostly valid, so that compile and verification get past validation often. */
const mostlyValidRouteMap: fc.Arbitrary<RouteMapInit> = fc.tuple(
  fc.record({
    version: fc.bigInt({ min: 1n, max: 12n }),
    deadLetterTopic: fc.constantFrom("", "veltrix.unrouted"),
    routes: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z]{1,8}$/),
        match: fc.oneof(eventType, eventType.map((t) => `${t}.*`), fc.constant("*")),
        targets: fc.array(
          fc.record({
            topic: fc.constantFrom("game.a", "game.b", "game.c"),
            key: fc.integer({ min: 0, max: 4 }),
            format: fc.integer({ min: 0, max: 2 }),
          }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
      { maxLength: 4, selector: (r) => r.name },
    ),
  }),
  fc.option(fc.oneof({ weight: 4, arbitrary: validCanary }, { weight: 1, arbitrary: canary }), { freq: 3 }),
)
  .map(withCanary);

const encode = (map: RouteMapInit) =>
  toBinary(RouteMapSchema, create(RouteMapSchema, map as MessageInitShape<typeof RouteMapSchema>));

const TYPE_RULE = /^[a-z0-9._-]{1,128}$/;

function matchIsValid(m: string): boolean {
  if (m === "*") return true;
  return TYPE_RULE.test(m.endsWith(".*") ? m.slice(0, -2) : m);
}

function matches(m: string, type: string): boolean {
  if (m === "*") return true;
  if (m.endsWith(".*")) return type.startsWith(m.slice(0, -1));
  return m === type;
}

/** Kafka's topic rule, written out independently of topic_name.ts. */
const validTopic = (t: string) => /^[a-zA-Z0-9._-]{1,249}$/.test(t) && t !== "." && t !== "..";
const validKey = (key: number) => key >= 0 && key <= 4;
const validFormat = (format: number) => format >= 0 && format <= 2;

/** The paths of every problem compile must report, worked out without calling it. */
function expectedProblemPaths(map: RoutableMap): string[] {
  const paths: string[] = [];
  if (map.version < 1n) paths.push("version");
  const names = new Set<string>();
  map.routes.forEach((r, i) => {
    if (r.name === "" || names.has(r.name)) paths.push(`routes[${i}].name`);
    names.add(r.name);
    if (!matchIsValid(r.match)) paths.push(`routes[${i}].match`);
    if (r.targets.length === 0) paths.push(`routes[${i}].targets`);
    r.targets.forEach((t, j) => {
      if (!validTopic(t.topic)) paths.push(`routes[${i}].targets[${j}].topic`);
      if (!validKey(t.key)) paths.push(`routes[${i}].targets[${j}].key`);
      if (!validFormat(t.format)) paths.push(`routes[${i}].targets[${j}].format`);
    });
  });
  if (map.deadLetterTopic !== "" && !validTopic(map.deadLetterTopic)) paths.push("deadLetterTopic");
  map.routes.forEach((r, i) => {
    const action = r.onSchemaViolation ?? 0;
    if (action > 2) paths.push(`routes[${i}].onSchemaViolation`);
    if (action === 2 && !map.badEventTopic) paths.push(`routes[${i}].onSchemaViolation`);
  });
  if (map.badEventTopic && !validTopic(map.badEventTopic)) paths.push("badEventTopic");
  const schemaMatches = new Set<string>();
  (map.schemas ?? []).forEach((schema, i) => {
    if (!matchIsValid(schema.match) || schemaMatches.has(schema.match)) paths.push(`schemas[${i}].match`);
    schemaMatches.add(schema.match);
    if (!isJsonSchemaText(schema.jsonSchema)) paths.push(`schemas[${i}].jsonSchema`);
  });
  const tenants = new Set<string>();
  if ((map.tenants ?? []).length > 64) paths.push("tenants");
  (map.tenants ?? []).forEach((tenant, i) => {
    const name = tenant.name;
    if (name === "" || name === "other" || name.length > 128 || tenants.has(name)) paths.push(`tenants[${i}].name`);
    tenants.add(name);
    if (tenant.topicPrefix !== "" && !validTopic(`${tenant.topicPrefix}x`)) paths.push(`tenants[${i}].topicPrefix`);
  });
  if (map.otherTenants !== undefined && map.otherTenants.topicPrefix !== "") paths.push("otherTenants.topicPrefix");
  if (![0, 1, 2].includes(map.tenantQuotaScope ?? 0)) paths.push("tenantQuotaScope");
  paths.push(...expectedCanaryPaths(map.canary));
  return paths.sort();
}

/**
 * The canary rules, written out independently of canary_cohort.ts: a canary names exactly one
 * cohort, a share of 1 to 10000 basis points or a claim with its value. An empty marker names none.
 */
function expectedCanaryPaths(canary: RoutableMap["canary"]): string[] {
  if (canary === undefined) return [];
  const share = canary.basisPoints !== 0;
  const claim = canary.claim !== "";
  if (share === claim) return ["canary"];
  if (share) return canary.basisPoints <= 10_000 ? [] : ["canary.basisPoints"];
  return canary.claimValue === "" ? ["canary.claimValue"] : [];
}

/**
 * True when `text` is JSON whose value can be a schema (an object or a boolean). The oracle stops
 * there: what ajv makes of a schema that passes this is not re-implemented, and such maps are
 * judged by {@link schemaVerdictOpen}.
 */
function isJsonSchemaText(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === "boolean" || (typeof value === "object" && value !== null && !Array.isArray(value));
  } catch {
    return false;
  }
}

/** True when `map` has schemas that pass the oracle's checks: only ajv can tell whether they compile. */
function schemaVerdictOpen(map: RoutableMap): boolean {
  return (map.schemas ?? []).length > 0;
}

/** Where `type` must go under a valid `map`: [topic, key, format] in map order, and whether dead-lettered. */
function expectedResolution(
  map: RoutableMap,
  type: string,
): { targets: number[][]; topics: string[]; dead: boolean } {
  const byTopic = new Map<string, number[]>();
  let matched = false;
  for (const r of map.routes) {
    if (!matches(r.match, type)) continue;
    matched = true;
    for (const t of r.targets) {
      if (!byTopic.has(t.topic)) byTopic.set(t.topic, [t.key === 0 ? 1 : t.key, t.format === 0 ? 1 : t.format]);
    }
  }
  if (!matched) {
    return map.deadLetterTopic === ""
      ? { targets: [], topics: [], dead: false }
      : { targets: [[1, 1]], topics: [map.deadLetterTopic], dead: true };
  }
  return { targets: [...byTopic.values()], topics: [...byTopic.keys()], dead: false };
}

/** Compiles `map` and checks the outcome against the model: never a throw, never a wrong table. */
function checkCompile(map: RoutableMap, types: readonly string[]): boolean {
  let result: ReturnType<typeof compileRouteMap>;
  try {
    result = compileRouteMap(map);
  } catch (error) {
    assert.fail(`compileRouteMap threw: ${error}`);
  }
  const paths = expectedProblemPaths(map);
  if (!result.ok) {
    assert.ok(result.problems.length > 0, "a refused map lists its problems");
    for (const p of result.problems) assert.ok(typeof p.message === "string" && p.message.length > 0);
    assert.deepEqual(result.problems.map((p) => p.path).sort(), paths);
    return false;
  }
  assert.deepEqual(paths, [], "compile accepted an invalid map");
  const table = result.table;
  assert.equal(table.version, map.version);
  for (const topicName of table.topics) {
    assert.ok(validTopic(topicName), `table has topic ${JSON.stringify(topicName)}`);
  }
  // The patterns themselves, types under and next to each prefix, and the stems.
  const near = (m: string) => [m, m.replace(/\*$/, "x"), m.replace(/\.\*$/, "x"), m.replace(/\.\*$/, ""), m + ".y"];
  const typesToTry = [...types, ...map.routes.flatMap((r) => near(r.match))];
  for (const type of typesToTry) {
    const resolution = table.resolve(type);
    assert.equal(table.resolve(type), resolution, "the same type resolves to the same object");
    for (const t of resolution.targets) {
      assert.ok(validTopic(t.topic), `resolved to an invalid topic ${JSON.stringify(t.topic)}`);
      assert.equal(topicNameProblem(t.topic), undefined);
      assert.ok(table.topics.includes(t.topic));
    }
    const want = expectedResolution(map, type);
    assert.deepEqual(resolution.targets.map((t) => t.topic), want.topics, `topics for ${JSON.stringify(type)}`);
    assert.deepEqual(resolution.targets.map((t) => [t.key, t.format]), want.targets);
    assert.equal(resolution.deadLettered, want.dead);
    assert.equal(resolution.needsProtobuf, want.targets.some(([, f]) => f === 1));
    assert.equal(resolution.needsJson, want.targets.some(([, f]) => f === 2));
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Wire bytes: mutation and a small protobuf grammar

type Edit = {
  readonly op: "flip" | "set" | "insert" | "delete" | "truncate";
  readonly at: number;
  readonly byte: number;
};
const edits = fc.array(
  fc.record({
    op: fc.constantFrom("flip", "flip", "set", "insert", "delete", "truncate"),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }) as fc.Arbitrary<Edit>,
  { minLength: 1, maxLength: 4 },
);

function mutate(bytes: Uint8Array, changes: readonly Edit[]): Uint8Array {
  const out = [...bytes];
  for (const { op, at, byte } of changes) {
    const i = at % (out.length + 1);
    if (op === "flip" || op === "set") {
      if (i < out.length) out[i] = op === "flip" ? out[i]! ^ (1 << (byte & 7)) : byte;
      else out.push(byte);
    } else if (op === "insert") out.splice(i, 0, byte);
    else if (op === "delete") out.splice(i, 1);
    else if (i > 0) out.length = i;
  }
  return new Uint8Array(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const fieldNo = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 4, max: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 29 - 1 }) },
);
const tag = (no: number, wire: WireType) => new BinaryWriter().tag(no, wire).finish();

/** Random protobuf records: varints, fixed, strings (valid and invalid UTF-8), nested messages, groups. */
const { wireMessage } = fc.letrec<{ wireMessage: Uint8Array; wireField: Uint8Array }>((tie) => ({
  wireMessage: fc.array(tie("wireField"), { maxLength: 5 }).map(concat),
  wireField: fc.oneof(
    { depthSize: "small", maxDepth: 5, withCrossShrink: true },
    fc.tuple(fieldNo, fc.bigInt({ min: -(1n << 63n), max: UINT64_MAX })).map(([no, v]) =>
      new BinaryWriter().tag(no, WireType.Varint).uint64(v < 0n ? v + (1n << 64n) : v).finish()
    ),
    fc.tuple(fieldNo, fc.integer({ min: -2, max: 8 })).map(([no, v]) =>
      new BinaryWriter().tag(no, WireType.Varint).int32(v).finish()
    ),
    fc.tuple(fieldNo, fc.double()).map(([no, v]) => new BinaryWriter().tag(no, WireType.Bit64).double(v).finish()),
    fc.tuple(fieldNo, fc.integer()).map(([no, v]) =>
      new BinaryWriter().tag(no, WireType.Bit32).fixed32(v >>> 0).finish()
    ),
    fc.tuple(fieldNo, fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), topic)).map(([no, s]) =>
      new BinaryWriter().tag(no, WireType.LengthDelimited).string(s).finish()
    ),
    fc.tuple(fieldNo, fc.uint8Array({ maxLength: 8 })).map(([no, b]) =>
      new BinaryWriter().tag(no, WireType.LengthDelimited).bytes(b).finish()
    ),
    fc.tuple(fieldNo, tie("wireMessage")).map(([no, m]) =>
      new BinaryWriter().tag(no, WireType.LengthDelimited).bytes(m).finish()
    ),
    fc.tuple(fieldNo, tie("wireMessage"), fc.option(fieldNo, { freq: 6 })).map(([no, m, endNo]) =>
      concat([tag(no, WireType.StartGroup), m, tag(endNo ?? no, WireType.EndGroup)])
    ),
    fc.tuple(fieldNo, fc.constantFrom(WireType.EndGroup, 6, 7)).map(([no, wire]) =>
      new BinaryWriter().uint32(((no << 3) | wire) >>> 0).finish()
    ),
  ),
}));

/** The fields the fast decoder returns, from either decoder's output. */
function routable(m: RoutableMap): RoutableMap {
  const fields: RoutableMap = {
    version: m.version,
    deadLetterTopic: m.deadLetterTopic,
    routes: m.routes.map((r) => ({
      name: r.name,
      match: r.match,
      targets: r.targets.map((t) => ({ topic: t.topic, key: t.key, format: t.format })),
      onSchemaViolation: r.onSchemaViolation ?? 0,
    })),
    schemas: (m.schemas ?? []).map((s) => ({ match: s.match, jsonSchema: s.jsonSchema })),
    badEventTopic: m.badEventTopic ?? "",
    tenants: (m.tenants ?? []).map(tenantFields),
    otherTenants: m.otherTenants === undefined ? undefined : tenantFields(m.otherTenants),
    tenantQuotaScope: m.tenantQuotaScope ?? 0,
  };
  if (m.canary === undefined) return fields;
  const { basisPoints, salt, claim, claimValue } = m.canary;
  return { ...fields, canary: { basisPoints, salt, claim, claimValue } };
}

function tenantFields(t: TenantQuotaSource): TenantQuotaSource {
  const { name, eventsPerSecond, maxConnections, bytesPerSecond, topicPrefix } = t;
  return { name, eventsPerSecond, maxConnections, bytesPerSecond, topicPrefix };
}

/** protobuf-es's decode, reduced to the fields the fast decoder returns, or "throws". */
function reference(bytes: Uint8Array): RoutableMap | "throws" {
  try {
    const m = fromBinary(RouteMapSchema, bytes);
    return routable(m);
  } catch {
    return "throws";
  }
}

function fastDecode(bytes: Uint8Array): RoutableMap | "throws" {
  try {
    const m = decodeRoutableMap(bytes);
    return routable(m);
  } catch {
    return "throws";
  }
}

/** Unknown fields wrapping `depth` nested groups, placed at the top, in a route or in a target. */
const deepGroups = fc.record({
  level: fc.constantFrom("top", "route", "target"),
  depth: fc.integer({ min: 90, max: 110 }),
}).map(({ level, depth }) => {
  const groups = new BinaryWriter();
  for (let i = 0; i < depth; i++) groups.tag(9, WireType.StartGroup);
  for (let i = 0; i < depth; i++) groups.tag(9, WireType.EndGroup);
  const g = groups.finish();
  const w = new BinaryWriter().tag(1, WireType.Varint).uint64(7n);
  if (level === "top") return concat([w.finish(), g]);
  const targetBytes = new BinaryWriter().tag(1, WireType.LengthDelimited).string("t").finish();
  const routeBody = level === "route"
    ? concat([g, new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(targetBytes).finish()])
    : new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(concat([targetBytes, g])).finish();
  return concat([w.finish(), new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(routeBody).finish()]);
});

// ---------------------------------------------------------------------------------------------
// Route updates: a signer, an oracle of what verification must answer

const signer = await makeSigningKey("fuzz-signer");
const otherTrusted = await makeSigningKey("fuzz-other");
const stranger = await makeSigningKey("fuzz-stranger");
const keys = await TrustedKeys.import(parseTrustedKeys(`${signer.trustEntry}\n${otherTrusted.trustEntry}`));
const trustedIds = new Set(keys.ids);

const REFUSALS: readonly ErrorCode[] = [
  "ROUTE_UPDATE_TOO_LARGE",
  "MALFORMED_ROUTE_UPDATE",
  "UNKNOWN_SIGNING_KEY",
  "BAD_SIGNATURE",
  "STALE_ROUTE_MAP",
  "INVALID_ROUTE_MAP",
];

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fingerprint = (s: SignedRouteMap) => `${s.keyId}\n${hex(s.routeMap)}\n${hex(s.signature)}`;
/** Every (key id, route_map, signature) this file has signed: nothing else may verify. */
const genuine = new Set<string>();

async function sign(map: RouteMapInit | Uint8Array): Promise<SignedRouteMap> {
  let signed: SignedRouteMap;
  if (map instanceof Uint8Array) {
    const signature = new Uint8Array(
      await crypto.subtle.sign({ name: "Ed25519" }, signer.privateKey, map as BufferSource),
    );
    signed = create(SignedRouteMapSchema, { routeMap: map, keyId: signer.id, signature });
  } else {
    signed = await signRouteMap(signer, map as MessageInitShape<typeof RouteMapSchema>);
  }
  genuine.add(fingerprint(signed));
  return signed;
}

/** What verification must answer for `bytes`, following its documented steps with protobuf-es. */
function expectedVerdict(bytes: Uint8Array, ctx: RouteUpdateContext): ErrorCode | "verified" {
  if (bytes.byteLength > ctx.maxBytes) return "ROUTE_UPDATE_TOO_LARGE";
  let signed: SignedRouteMap;
  try {
    signed = fromBinary(SignedRouteMapSchema, bytes);
  } catch {
    return "MALFORMED_ROUTE_UPDATE";
  }
  if (signed.routeMap.byteLength === 0) return "MALFORMED_ROUTE_UPDATE";
  if (!trustedIds.has(signed.keyId)) return "UNKNOWN_SIGNING_KEY";
  if (!genuine.has(fingerprint(signed))) return "BAD_SIGNATURE";
  const map = reference(signed.routeMap);
  if (map === "throws") return "MALFORMED_ROUTE_UPDATE";
  if (map.version <= ctx.currentVersion) return "STALE_ROUTE_MAP";
  return expectedProblemPaths(map).length === 0 ? "verified" : "INVALID_ROUTE_MAP";
}

/** Verifies `bytes`: it must resolve, never reject, to exactly the verdict of the oracle. */
async function checkUpdate(bytes: Uint8Array, ctx: RouteUpdateContext): Promise<ErrorCode | "verified"> {
  const want = expectedVerdict(bytes, ctx);
  let result: Awaited<ReturnType<typeof verifyRouteUpdate>>;
  try {
    result = await verifyRouteUpdate(bytes, ctx);
  } catch (error) {
    assert.fail(`verifyRouteUpdate threw: ${error}`);
  }
  const decoded = want === "verified" || want === "INVALID_ROUTE_MAP"
    ? reference(bytes.length ? fromBinary(SignedRouteMapSchema, bytes).routeMap : bytes)
    : "throws";
  if (decoded !== "throws" && want === "verified" && schemaVerdictOpen(decoded) && !isVerified(result)) {
    // Schemas the oracle cannot fault: ajv may still refuse them (limits, keywords).
    assert.equal(result.error.code, "INVALID_ROUTE_MAP", result.error.message);
    return result.error.code;
  }
  if (isVerified(result)) {
    assert.equal(want, "verified", `verified an update the oracle refuses with ${want}`);
    assert.ok(genuine.has(fingerprint(result.signed)), "verified a route_map or signature this file never signed");
    assert.ok(trustedIds.has(result.keyId));
    assert.deepEqual(result.routeMap, reference(result.signed.routeMap));
    assert.equal(result.table.version, result.routeMap.version);
    assert.ok(result.routeMap.version > ctx.currentVersion);
    return "verified";
  }
  assert.ok(result.error instanceof VeltrixError, `refused with something other than a VeltrixError`);
  assert.ok(REFUSALS.includes(result.error.code), `refused with ${result.error.code}`);
  assert.equal(result.error.code, want, result.error.message);
  if (result.error.code === "INVALID_ROUTE_MAP") assert.ok((result.problems?.length ?? 0) > 0);
  return result.error.code;
}

const context: fc.Arbitrary<RouteUpdateContext> = fc.record({
  keys: fc.constant(keys),
  currentVersion: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(0n, 1n, 5n) },
    { weight: 1, arbitrary: fc.constant(UINT64_MAX) },
  ),
  maxBytes: fc.oneof(
    { weight: 8, arbitrary: fc.constant(DEFAULT_MAX_ROUTE_UPDATE_BYTES) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) },
  ),
});

// ---------------------------------------------------------------------------------------------
// Properties

Deno.test("compileRouteMap() on random route maps returns a correct table or every problem, never throws", () => {
  const types = fc.array(fc.oneof(eventType, fc.string({ maxLength: 8 }), utf16(4)), { maxLength: 4 });
  let compiled = 0;
  fuzz(
    "route maps through compileRouteMap",
    20_000,
    fc.tuple(fc.oneof(routeMap, mostlyValidRouteMap), types),
    ([map, typesToTry]) => {
      if (checkCompile(map, typesToTry)) compiled++;
    },
  );
  assert.ok(compiled > 1_000, `only ${compiled} maps compiled: the generator barely reaches resolve()`);
});

Deno.test("decodeRoutableMap() agrees with protobuf-es fromBinary on valid, mutated, random and generated bytes", () => {
  const bytes = fc.oneof(
    { weight: 2, arbitrary: routeMap.map(encode) },
    {
      weight: 4,
      arbitrary: fc.tuple(fc.oneof(routeMap, mostlyValidRouteMap), edits).map(([m, e]) => mutate(encode(m), e)),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 4, arbitrary: wireMessage },
    { weight: 1, arbitrary: fc.tuple(routeMap.map(encode), wireMessage).map(concat) },
  );
  fuzz("RouteMap byte strings through decodeRoutableMap", 25_000, bytes, (b) => {
    const fast = fastDecode(b);
    const slow = reference(b);
    assert.deepEqual(
      fast,
      slow,
      fast === "throws" ? "refused bytes that protobuf-es reads" : "differs from protobuf-es",
    );
  });
});

Deno.test("decodeRoutableMap() only throws on deeply nested unknown groups that protobuf-es also refuses", () => {
  fuzz("deeply nested groups through decodeRoutableMap", 1_000, deepGroups, (b) => {
    const fast = fastDecode(b);
    if (fast === "throws") assert.equal(reference(b), "throws", "refused bytes that protobuf-es reads");
    else if (reference(b) !== "throws") assert.deepEqual(fast, reference(b));
  });
});

Deno.test({
  name: "decodeRoutableMap() refuses deeply nested unknown groups exactly when protobuf-es does",
  fn() {
    fuzz("deeply nested groups through decodeRoutableMap", 1_000, deepGroups, (b) => {
      assert.deepEqual(fastDecode(b), reference(b));
    });
  },
});

Deno.test("verifyRouteUpdate() on random bytes and random SignedRouteMaps refuses with a route update code", async () => {
  const signedish = fc.record({
    routeMap: fc.oneof(fc.uint8Array({ maxLength: 48 }), routeMap.map(encode)),
    keyId: fc.oneof(fc.constantFrom(signer.id, otherTrusted.id, stranger.id, ""), fc.string({ maxLength: 12 })),
    signature: fc.oneof(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.constantFrom(new Uint8Array(64), new Uint8Array(64).fill(0xff)),
      fc.uint8Array({ maxLength: 80 }),
    ),
  }).map((s) => signedBytes(create(SignedRouteMapSchema, s)));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    signedish,
    fc.tuple(signedish, edits).map(([b, e]) => mutate(b, e)),
  );
  await fuzzAsync("random updates through verifyRouteUpdate", 5_000, fc.tuple(bytes, context), async ([b, ctx]) => {
    assert.notEqual(await checkUpdate(b, ctx), "verified");
  });
});

Deno.test("verifyRouteUpdate() never verifies a mutated SignedRouteMap unless route_map and signature are intact", async () => {
  const part = fc.constantFrom("whole", "routeMap", "signature", "keyId");
  const keyIds = fc.oneof(
    fc.constantFrom(otherTrusted.id, stranger.id, "", `${signer.id} `),
    fc.string({ maxLength: 12 }),
  );
  const counts: Record<string, number> = {};
  await fuzzAsync(
    "mutated signed route maps through verifyRouteUpdate",
    4_000,
    fc.tuple(
      fc.oneof(mostlyValidRouteMap, routeMap, fc.constant(simpleMap(6n) as RouteMapInit)),
      part,
      edits,
      keyIds,
      context,
    ),
    async ([map, where, changes, keyId, ctx]) => {
      const signed = await sign(map);
      let bytes: Uint8Array;
      if (where === "whole") bytes = mutate(signedBytes(signed), changes);
      else {
        const copy = create(SignedRouteMapSchema, {
          routeMap: signed.routeMap,
          keyId: signed.keyId,
          signature: signed.signature,
        });
        if (where === "routeMap") copy.routeMap = mutate(signed.routeMap, changes);
        else if (where === "signature") copy.signature = mutate(signed.signature, changes);
        else copy.keyId = keyId;
        bytes = signedBytes(copy);
      }
      const verdict = await checkUpdate(bytes, ctx);
      counts[verdict] = (counts[verdict] ?? 0) + 1;
      if (where !== "whole" && verdict === "verified") {
        // Only a mutation that happened to change nothing may verify.
        assert.deepEqual(fromBinary(SignedRouteMapSchema, bytes), signed);
      }
    },
  );
  assert.ok(
    (counts["BAD_SIGNATURE"] ?? 0) > 500,
    `few mutations reached the signature check: ${JSON.stringify(counts)}`,
  );
});

Deno.test("verifyRouteUpdate() on validly signed, mutated route_map bytes decodes and validates like protobuf-es", async () => {
  const routeMapBytes = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.oneof(mostlyValidRouteMap, routeMap), edits).map(([m, e]) => mutate(encode(m), e)),
    },
    { weight: 2, arbitrary: mostlyValidRouteMap.map(encode) },
    { weight: 1, arbitrary: routeMap.map(encode) },
    { weight: 2, arbitrary: fc.tuple(mostlyValidRouteMap.map(encode), wireMessage).map(concat) },
  );
  const counts: Record<string, number> = {};
  await fuzzAsync(
    "signed mutated route maps through verifyRouteUpdate",
    3_000,
    fc.tuple(routeMapBytes, context),
    async ([b, ctx]) => {
      const verdict = await checkUpdate(signedBytes(await sign(b)), ctx);
      counts[verdict] = (counts[verdict] ?? 0) + 1;
    },
  );
  for (const code of ["verified", "MALFORMED_ROUTE_UPDATE", "STALE_ROUTE_MAP", "INVALID_ROUTE_MAP"]) {
    assert.ok((counts[code] ?? 0) > 50, `the generator rarely reaches ${code}: ${JSON.stringify(counts)}`);
  }
});
