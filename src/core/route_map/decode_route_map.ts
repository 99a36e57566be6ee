/**
 * A decoder for `veltrix.v1.RouteMap` made for route updates: it reads the wire format straight
 * into the plain fields compile needs, without building protobuf-es messages, which roughly
 * halves the cost of applying a large map. Its output equals protobuf-es `fromBinary` field for
 * field, and it refuses what `fromBinary` refuses (the tests check both, on valid, mutated and
 * random bytes); unknown fields are skipped as protobuf requires.
 *
 * @module
 */
import { BinaryReader } from "@bufbuild/protobuf/wire";
import type {
  Format,
  KeyStrategy,
  SchemaViolationAction,
  TenantQuotaScope,
} from "../../gen/veltrix/v1/route_map_pb.ts";
import type { RoutableMap } from "./routable_map.ts";

interface TargetSource {
  topic: string;
  key: KeyStrategy;
  format: Format;
}

interface RouteSource {
  name: string;
  match: string;
  targets: TargetSource[];
  onSchemaViolation: SchemaViolationAction;
}

interface TenantSource {
  name: string;
  eventsPerSecond: number;
  maxConnections: number;
  bytesPerSecond: number;
  topicPrefix: string;
}

interface CanarySource {
  basisPoints: number;
  salt: string;
  claim: string;
  claimValue: string;
}

interface SchemaSource {
  match: string;
  jsonSchema: string;
}

/**
 * How deeply messages and nested groups in unknown fields may go before decoding gives up: like
 * protobuf-es, 100 in all, counting the RouteMap, Route and Target levels themselves.
 */
const SKIP_DEPTH = 100;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Route names, patterns and topics are short ASCII: those are turned into strings directly, which
 * is several times cheaper than a TextDecoder call; anything else goes through the strict decoder.
 */
function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > 128) return utf8.decode(bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return utf8.decode(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/**
 * Where each route of a decoded map sits in its bytes, so that the next update can find the routes
 * it repeats: kept beside the map (the map itself stays the plain fields protobuf-es would give).
 */
interface RouteSpans {
  readonly bytes: Uint8Array;
  /** Route `r` is `bytes[starts[r]..ends[r])`, its length-delimited body. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /**
   * The map whose routes this one reused (weakly, so that maps do not keep every earlier map alive),
   * and for each route the index it reused there (-1: decoded).
   */
  readonly reusedFrom?: { readonly map: WeakRef<RoutableMap>; readonly indexes: Int32Array };
}

const spansOfMap = new WeakMap<RoutableMap, RouteSpans>();

/**
 * Decodes RouteMap bytes into the fields routing needs. Like protobuf-es, a known field is read
 * as its declared type whatever wire type it came with. Throws on malformed input: invalid UTF-8,
 * truncated data, groups nested too deep.
 *
 * With `previous`, a map this function decoded earlier (the one in force), a route whose bytes
 * equal those of its counterpart there (the route at the same index, give or take the routes added
 * or removed before it) is not decoded again: the earlier route object is reused (decoded maps are
 * never changed), and {@link reusedRoutes} tells compile which, so that it can reuse their compiled
 * form too. The result is the same either way.
 */
export function decodeRoutableMap(bytes: Uint8Array, previous?: RoutableMap): RoutableMap {
  const reader = new BinaryReader(bytes, decodeUtf8);
  const before = previous === undefined ? undefined : spansOfMap.get(previous);
  let version = 0n;
  let deadLetterTopic = "";
  let badEventTopic = "";
  const routes: RouteSource[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const reused: number[] = [];
  let reusedAny = false;
  /** Routes added (positive) or removed (negative) before this one, as far as the matches so far tell. */
  const shift = { value: 0 };
  const schemas: SchemaSource[] = [];
  let canary: CanarySource | undefined;
  const tenants: TenantSource[] = [];
  let otherTenants: TenantSource | undefined;
  let tenantQuotaScope: TenantQuotaScope = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) version = BigInt(reader.uint64());
    else if (field === 2) {
      const length = reader.uint32();
      const start = reader.pos;
      const index = before === undefined ? -1 : sameRoute(before, bytes, start, length, routes.length, shift);
      if (index >= 0 && start + length <= reader.len) {
        routes.push(previous!.routes[index] as RouteSource);
        reader.pos = start + length;
        reusedAny = true;
      } else {
        routes.push(readRoute(reader, length));
      }
      starts.push(start);
      ends.push(reader.pos);
      reused.push(index);
    } else if (field === 3) deadLetterTopic = reader.string();
    else if (field === 4) schemas.push(readSchema(reader, reader.uint32()));
    else if (field === 5) badEventTopic = reader.string();
    else if (field === 6) tenants.push(readTenant(reader, reader.uint32(), emptyTenant()));
    // A message field that comes twice is merged, as protobuf requires.
    else if (field === 7) otherTenants = readTenant(reader, reader.uint32(), otherTenants ?? emptyTenant());
    else if (field === 8) tenantQuotaScope = reader.int32();
    else if (field === 20) canary = readCanary(reader, reader.uint32(), canary);
    else reader.skip(wireType, field, SKIP_DEPTH - 1);
  }
  const fields = { version, deadLetterTopic, routes, schemas, badEventTopic, tenants, otherTenants, tenantQuotaScope };
  const map: RoutableMap = canary === undefined ? fields : { ...fields, canary };
  spansOfMap.set(map, {
    bytes,
    starts: Int32Array.from(starts),
    ends: Int32Array.from(ends),
    ...(reusedAny ? { reusedFrom: { map: new WeakRef(previous!), indexes: Int32Array.from(reused) } } : {}),
  });
  return map;
}

/**
 * For each route of `map`, the index of the route of `previous` whose decoded object it reuses
 * (-1 where it was decoded afresh); undefined when `map` reused nothing from `previous`.
 */
export function reusedRoutes(map: RoutableMap, previous: RoutableMap): Int32Array | undefined {
  const from = spansOfMap.get(map)?.reusedFrom;
  return from !== undefined && from.map.deref() === previous ? from.indexes : undefined;
}

/**
 * The index of the route of the earlier map with exactly the bytes `bytes[start..start+length)`:
 * the one at `index - shift`, else one place either side of it (a route added or removed, which
 * then moves `shift`); -1 when none matches.
 */
function sameRoute(
  before: RouteSpans,
  bytes: Uint8Array,
  start: number,
  length: number,
  index: number,
  shift: { value: number },
): number {
  const at = index - shift.value;
  for (let step = 0; step < 3; step++) {
    const candidate = at + (step === 2 ? -1 : step);
    if (candidate >= 0 && candidate < before.starts.length && equalSpan(before, candidate, bytes, start, length)) {
      shift.value += at - candidate;
      return candidate;
    }
  }
  return -1;
}

function equalSpan(before: RouteSpans, index: number, bytes: Uint8Array, start: number, length: number): boolean {
  const from = before.starts[index]!;
  if (before.ends[index]! - from !== length || start + length > bytes.length) return false;
  const old = before.bytes;
  for (let i = 0; i < length; i++) if (old[from + i] !== bytes[start + i]) return false;
  return true;
}

function emptyTenant(): TenantSource {
  return { name: "", eventsPerSecond: 0, maxConnections: 0, bytesPerSecond: 0, topicPrefix: "" };
}

/** Reads a TenantQuota into `tenant` (an earlier occurrence of the same field merges, as protobuf requires). */
function readTenant(reader: BinaryReader, length: number, tenant: TenantSource): TenantSource {
  const end = reader.pos + length;
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) tenant.name = reader.string();
    else if (field === 2) tenant.eventsPerSecond = reader.uint32();
    else if (field === 3) tenant.maxConnections = reader.uint32();
    else if (field === 4) tenant.bytesPerSecond = reader.uint32();
    else if (field === 5) tenant.topicPrefix = reader.string();
    else reader.skip(wireType, field, SKIP_DEPTH - 2);
  }
  return tenant;
}

/** Reads a Canary; a repeated occurrence merges into the earlier one, as protobuf requires. */
function readCanary(reader: BinaryReader, length: number, earlier: CanarySource | undefined): CanarySource {
  const end = reader.pos + length;
  const canary = earlier ?? { basisPoints: 0, salt: "", claim: "", claimValue: "" };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) canary.basisPoints = reader.uint32();
    else if (field === 2) canary.salt = reader.string();
    else if (field === 3) canary.claim = reader.string();
    else if (field === 4) canary.claimValue = reader.string();
    else reader.skip(wireType, field, SKIP_DEPTH - 2);
  }
  return canary;
}

function readSchema(reader: BinaryReader, length: number): SchemaSource {
  const end = reader.pos + length;
  const schema: SchemaSource = { match: "", jsonSchema: "" };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) schema.match = reader.string();
    else if (field === 2) schema.jsonSchema = reader.string();
    else reader.skip(wireType, field, SKIP_DEPTH - 2);
  }
  return schema;
}

function readRoute(reader: BinaryReader, length: number): RouteSource {
  const end = reader.pos + length;
  const route: RouteSource = { name: "", match: "", targets: [], onSchemaViolation: 0 };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) route.name = reader.string();
    else if (field === 2) route.match = reader.string();
    else if (field === 3) {
      route.targets.push(readTarget(reader, reader.uint32()));
    } else if (field === 4) route.onSchemaViolation = reader.int32();
    else reader.skip(wireType, field, SKIP_DEPTH - 2);
  }
  return route;
}

function readTarget(reader: BinaryReader, length: number): TargetSource {
  const end = reader.pos + length;
  const target: TargetSource = { topic: "", key: 0, format: 0 };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) target.topic = reader.string();
    else if (field === 2) target.key = reader.int32();
    else if (field === 3) target.format = reader.int32();
    else reader.skip(wireType, field, SKIP_DEPTH - 3);
  }
  return target;
}
