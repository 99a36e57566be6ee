import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { decodeRoutableMap, reusedRoutes } from "./decode_route_map.ts";

const text = fc.string({ maxLength: 12, unit: "grapheme" });
const target = fc.record({
  topic: text,
  key: fc.integer({ min: -3, max: 7 }),
  format: fc.integer({ min: -3, max: 5 }),
});
const route = fc.record({
  name: text,
  match: text,
  targets: fc.array(target, { maxLength: 3 }),
  onSchemaViolation: fc.integer({ min: -3, max: 4 }),
});
const schema = fc.record({ match: text, jsonSchema: fc.string({ maxLength: 40, unit: "grapheme" }) });
const tenant = fc.record({
  name: text,
  eventsPerSecond: fc.nat(),
  maxConnections: fc.nat(),
  bytesPerSecond: fc.nat(),
  topicPrefix: text,
});
const routeMap = fc.record({
  version: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  deadLetterTopic: text,
  routes: fc.array(route, { maxLength: 6 }),
  schemas: fc.array(schema, { maxLength: 3 }),
  badEventTopic: text,
  tenants: fc.array(tenant, { maxLength: 3 }),
  otherTenants: fc.option(tenant, { nil: undefined }),
  tenantQuotaScope: fc.integer({ min: -3, max: 4 }),
  canary: fc.option(
    fc.record({ basisPoints: fc.integer({ min: 0, max: 10_000 }), salt: text, claim: text, claimValue: text }),
    { nil: undefined },
  ),
}, { requiredKeys: ["version", "deadLetterTopic", "routes", "schemas", "badEventTopic", "tenants"] });

/** A tenant quota reduced to its fields. */
function tenantFields(
  t: { name: string; eventsPerSecond: number; maxConnections: number; bytesPerSecond: number; topicPrefix: string },
) {
  return {
    name: t.name,
    eventsPerSecond: t.eventsPerSecond,
    maxConnections: t.maxConnections,
    bytesPerSecond: t.bytesPerSecond,
    topicPrefix: t.topicPrefix,
  };
}

/** protobuf-es's decode, reduced to the fields the fast decoder returns. */
function reference(bytes: Uint8Array) {
  const message = fromBinary(RouteMapSchema, bytes);
  return {
    version: message.version,
    deadLetterTopic: message.deadLetterTopic,
    routes: message.routes.map((r) => ({
      name: r.name,
      match: r.match,
      targets: r.targets.map((t) => ({ topic: t.topic, key: t.key, format: t.format })),
      onSchemaViolation: r.onSchemaViolation,
    })),
    schemas: message.schemas.map((s) => ({ match: s.match, jsonSchema: s.jsonSchema })),
    badEventTopic: message.badEventTopic,
    tenants: message.tenants.map(tenantFields),
    otherTenants: message.otherTenants === undefined ? undefined : tenantFields(message.otherTenants),
    tenantQuotaScope: message.tenantQuotaScope,
    ...(message.canary === undefined ? {} : {
      canary: {
        basisPoints: message.canary.basisPoints,
        salt: message.canary.salt,
        claim: message.canary.claim,
        claimValue: message.canary.claimValue,
      },
    }),
  };
}

Deno.test("decodeRoutableMap() reads every RouteMap exactly as protobuf-es fromBinary does", () => {
  fc.assert(
    fc.property(routeMap, (map) => {
      const bytes = toBinary(RouteMapSchema, create(RouteMapSchema, map));
      assert.deepEqual(decodeRoutableMap(bytes), reference(bytes));
    }),
    { numRuns: 400 },
  );
});

Deno.test("decodeRoutableMap() skips unknown fields at every level, as protobuf requires", () => {
  const w = new BinaryWriter();
  w.tag(9, WireType.LengthDelimited).string("future field");
  w.tag(1, WireType.Varint).uint64(7n);
  w.tag(2, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string("r");
  w.tag(7, WireType.Varint).int32(5);
  w.tag(2, WireType.LengthDelimited).string("a.*");
  w.tag(3, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string("t");
  w.tag(8, WireType.Bit64).double(1.5);
  w.join();
  w.join();
  const bytes = w.finish();
  assert.deepEqual(decodeRoutableMap(bytes), reference(bytes));
  assert.equal(decodeRoutableMap(bytes).routes[0]?.targets[0]?.topic, "t");
});

Deno.test("decodeRoutableMap() throws on truncated or garbage bytes instead of returning a partial map", () => {
  const bytes = toBinary(
    RouteMapSchema,
    create(RouteMapSchema, { version: 3n, routes: [{ name: "r", match: "a.*", targets: [{ topic: "t" }] }] }),
  );
  for (let cut = 1; cut < bytes.length; cut++) {
    let protobufEsThrows = false;
    try {
      fromBinary(RouteMapSchema, bytes.subarray(0, cut));
    } catch {
      protobufEsThrows = true;
    }
    if (protobufEsThrows) assert.throws(() => decodeRoutableMap(bytes.subarray(0, cut)), `cut at ${cut}`);
  }
  assert.throws(() => decodeRoutableMap(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
});

Deno.test("decodeRoutableMap() accepts exactly what protobuf-es accepts, over mutated and random bytes", () => {
  const valid = fc.tuple(routeMap, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
    .map(([map, edits]) => {
      const bytes = toBinary(RouteMapSchema, create(RouteMapSchema, map));
      for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
      return bytes;
    });
  const inputs = fc.oneof(valid, fc.uint8Array({ maxLength: 64 }));
  fc.assert(
    fc.property(inputs, (bytes) => {
      let expected: ReturnType<typeof reference> | "throws";
      try {
        expected = reference(bytes);
      } catch {
        expected = "throws";
      }
      let actual: ReturnType<typeof reference> | "throws";
      try {
        const decoded = decodeRoutableMap(bytes);
        actual = {
          version: decoded.version,
          deadLetterTopic: decoded.deadLetterTopic,
          routes: decoded.routes.map((r) => ({
            name: r.name,
            match: r.match,
            targets: r.targets.map((t) => ({ ...t })),
            onSchemaViolation: r.onSchemaViolation ?? 0,
          })),
          schemas: (decoded.schemas ?? []).map((s) => ({ ...s })),
          badEventTopic: decoded.badEventTopic ?? "",
          tenants: (decoded.tenants ?? []).map(tenantFields),
          otherTenants: decoded.otherTenants === undefined ? undefined : tenantFields(decoded.otherTenants),
          tenantQuotaScope: decoded.tenantQuotaScope ?? 0,
          ...(decoded.canary === undefined ? {} : { canary: { ...decoded.canary } }),
        };
      } catch {
        actual = "throws";
      }
      assert.deepEqual(actual, expected);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("decodeRoutableMap() reads the tenant quota scope, the last occurrence winning, as protobuf-es does", () => {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).uint64(4n);
  w.tag(8, WireType.Varint).int32(2);
  w.tag(8, WireType.Varint).int32(1);
  const twice = w.finish();
  assert.equal(decodeRoutableMap(twice).tenantQuotaScope, 1);
  assert.deepEqual(decodeRoutableMap(twice), reference(twice));
  const fleet = toBinary(RouteMapSchema, create(RouteMapSchema, { version: 5n, tenantQuotaScope: 2 }));
  assert.equal(decodeRoutableMap(fleet).tenantQuotaScope, 2);
  const unset = toBinary(RouteMapSchema, create(RouteMapSchema, { version: 5n }));
  assert.equal(decodeRoutableMap(unset).tenantQuotaScope, 0, "a map signed before the scope existed: per edge");
});

Deno.test("decodeRoutableMap() keeps a leading byte-order mark in a string, as protobuf-es does", () => {
  // A route whose match is "*" and whose one target's topic is U+FEFF (EF BB BF).
  const bytes = Uint8Array.from([18, 10, 18, 1, 42, 26, 5, 10, 3, 0xef, 0xbb, 0xbf]);
  assert.equal(decodeRoutableMap(bytes).routes[0]?.targets[0]?.topic, "\uFEFF");
  assert.deepEqual(decodeRoutableMap(bytes), reference(bytes));
});

/** `map` with one route edited, one added and one removed, at places fast-check picks. */
const editedPair = fc.tuple(
  routeMap,
  route,
  route,
  fc.nat(),
  fc.nat(),
  fc.nat(),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
).map(([map, changed, added, at, addAt, removeAt, byteEdits]) => {
  const routes = [...map.routes];
  if (routes.length > 0) routes[at % routes.length] = changed;
  routes.splice(addAt % (routes.length + 1), 0, added);
  if (routes.length > 1) routes.splice(removeAt % routes.length, 1);
  const before = toBinary(RouteMapSchema, create(RouteMapSchema, map));
  const after = toBinary(RouteMapSchema, create(RouteMapSchema, { ...map, routes }));
  for (const [where, value] of byteEdits) if (after.length > 0) after[where % after.length] = value;
  return { before, after };
});

Deno.test("decodeRoutableMap(bytes, previous) decodes exactly what it decodes alone, or throws alike", () => {
  fc.assert(
    fc.property(editedPair, ({ before, after }) => {
      let previous;
      try {
        previous = decodeRoutableMap(before);
      } catch {
        return;
      }
      let alone: unknown = "throws", reusing: unknown = "throws";
      try {
        alone = decodeRoutableMap(after);
      } catch { /* compared below */ }
      try {
        reusing = decodeRoutableMap(after, previous);
      } catch { /* compared below */ }
      assert.deepEqual(reusing, alone);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("decodeRoutableMap(bytes, previous) reuses the route objects of unchanged routes and says which", () => {
  const routes = Array.from({ length: 6 }, (_, i) => ({ name: `r${i}`, match: `t.e${i}`, targets: [{ topic: "t" }] }));
  const before = decodeRoutableMap(toBinary(RouteMapSchema, create(RouteMapSchema, { version: 1n, routes })));
  // Route 2 changes, a route is added before route 4: routes 0, 1, 3, 4, 5 are the same bytes.
  const edited = [...routes];
  edited[2] = { ...routes[2]!, match: "t.changed" };
  edited.splice(4, 0, { name: "new", match: "t.new", targets: [{ topic: "t" }] });
  const after = decodeRoutableMap(
    toBinary(RouteMapSchema, create(RouteMapSchema, { version: 2n, routes: edited })),
    before,
  );
  assert.deepEqual(Array.from(reusedRoutes(after, before)!), [0, 1, -1, 3, -1, 4, 5]);
  for (const [index, from] of [[0, 0], [1, 1], [3, 3], [5, 4], [6, 5]] as const) {
    assert.equal(after.routes[index], before.routes[from], `route ${index} reuses route ${from}`);
  }
  assert.equal(after.routes[2]!.match, "t.changed");
  assert.equal(reusedRoutes(after, after), undefined);
  assert.equal(
    reusedRoutes(decodeRoutableMap(toBinary(RouteMapSchema, create(RouteMapSchema, {}))), before),
    undefined,
  );
});
