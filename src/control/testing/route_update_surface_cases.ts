/**
 * Test helper: what every surface that takes a signed route update must answer alike, in process,
 * over a real {@link RouteControl} and a real live table. A surface (`POST /v1/routes` in binary or
 * JSON, the Connect `UpdateRouteMap` RPC) is an adapter that sends a SignedRouteMap its own way
 * and reads the answer back into a {@link RouteUpdateAnswer}; each adapter also checks, on every
 * answer, what only its wire says (HTTP status and body shape, Connect code and metadata).
 * `route_update_surfaces_test.ts` runs {@link routeUpdateSurfaceCases} for each surface; what only
 * one surface can say (content types, a declared content-length, the JSON problem list) stays in
 * that surface's own tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { type SignedRouteMap, SignedRouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import type { ErrorCode } from "../../core/errors/error_code.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import type { Logger } from "../../core/ops/logger.ts";
import { parseTrustedKeys, TrustedKeys } from "../../core/updates/trusted_keys.ts";
import { makeSigningKey, signRouteMap, simpleMap } from "../../core/updates/testing/route_signing.ts";
import { RouteControl, type RouteControlOptions } from "../route_control.ts";

/** What a surface answered, read back from its wire. */
export type RouteUpdateAnswer =
  | { readonly ok: true; readonly version: bigint; readonly routes: number }
  | {
    readonly ok: false;
    readonly code: ErrorCode;
    /** The human text of the refusal, as the surface sends it. */
    readonly message: string;
    /** The version in force, where the surface says it (at least for STALE_ROUTE_MAP). */
    readonly currentVersion?: bigint;
  };

/** A surface mounted over one RouteControl. */
export interface MountedRouteUpdateSurface {
  /** Sends `signed` as this surface's clients do. */
  post(signed: SignedRouteMap): Promise<RouteUpdateAnswer>;
  /** Sends a body this surface cannot read as a route update. */
  postMalformed(): Promise<RouteUpdateAnswer>;
}

/** A surface that takes signed route updates. */
export interface RouteUpdateSurface {
  readonly name: string;
  /** Mounts the surface over `control`, whose size cap is `maxBytes`. */
  mount(control: RouteControl, maxBytes: number): MountedRouteUpdateSurface;
}

/** The size cap of every case: a 200-route map is over it, {@link simpleMap} well under. */
const MAX_BYTES = 4096;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ops = await makeSigningKey("ops");
const stranger = await makeSigningKey("stranger");
const keys = await TrustedKeys.import(parseTrustedKeys(ops.trustEntry));

/** A fresh control at the embedded map (version 1), trusting `ops`, with `surface` mounted over it. */
function setUp(surface: RouteUpdateSurface, options: Partial<RouteControlOptions> = {}) {
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({ routes, keys, maxBytes: MAX_BYTES, logger: quiet, ...options });
  return { routes, control, mounted: surface.mount(control, MAX_BYTES) };
}

/** Asserts that `answer` refused with `code`, and returns the refusal. */
function refused(answer: RouteUpdateAnswer, code: ErrorCode): Extract<RouteUpdateAnswer, { ok: false }> {
  assert.equal(answer.ok, false, `expected ${code}, got ${JSON.stringify(answer, (_, v) => String(v))}`);
  if (answer.ok) throw new Error("unreachable");
  assert.equal(answer.code, code, answer.message);
  return answer;
}

/**
 * Registers the shared route update cases for `surface`: a good map is applied and routed by; a
 * stale, unknown-key, forged, invalid, over-size, malformed or unprovisionable one is refused with
 * its code and leaves the snapshot in force untouched (the same reference).
 */
export function routeUpdateSurfaceCases(surface: RouteUpdateSurface): void {
  const name = surface.name;

  Deno.test(`${name}: a good map is applied, answered with its version and route count, and routed by`, async () => {
    const { routes, control, mounted } = setUp(surface);
    const before = routes.table;
    const answer = await mounted.post(await signRouteMap(ops, simpleMap(2n, "game.moves")));
    assert.deepEqual(answer, { ok: true, version: 2n, routes: 2 });
    assert.equal(control.current.version, 2n);
    assert.equal(control.current.keyId, "ops");
    assert.notEqual(routes.table, before);
    assert.equal(routes.table.version, 2n);
    assert.deepEqual(routes.table.resolve("player.moved").targets.map((t) => t.topic), ["game.moves"]);
  });

  Deno.test(`${name}: a replay or a rollback is STALE_ROUTE_MAP with the version in force, changing nothing`, async () => {
    const { routes, mounted } = setUp(surface);
    const three = await signRouteMap(ops, simpleMap(3n));
    assert.equal((await mounted.post(three)).ok, true);
    const before = routes.snapshot;
    assert.equal(refused(await mounted.post(three), "STALE_ROUTE_MAP").currentVersion, 3n);
    const two = refused(await mounted.post(await signRouteMap(ops, simpleMap(2n))), "STALE_ROUTE_MAP");
    assert.equal(two.currentVersion, 3n);
    assert.equal(routes.snapshot, before);
  });

  Deno.test(`${name}: a map signed by a key that is not trusted is UNKNOWN_SIGNING_KEY, changing nothing`, async () => {
    const { routes, mounted } = setUp(surface);
    const before = routes.snapshot;
    const answer = refused(await mounted.post(await signRouteMap(stranger, simpleMap(2n))), "UNKNOWN_SIGNING_KEY");
    assert.match(answer.message, /stranger/);
    assert.equal(routes.snapshot, before);
  });

  Deno.test(`${name}: a map whose signature does not verify against its key id is BAD_SIGNATURE, changing nothing`, async () => {
    const { routes, mounted } = setUp(surface);
    const before = routes.snapshot;
    const forged = await signRouteMap(stranger, simpleMap(2n));
    forged.keyId = ops.id;
    refused(await mounted.post(forged), "BAD_SIGNATURE");
    const tampered = await signRouteMap(ops, simpleMap(2n));
    tampered.routeMap = (await signRouteMap(ops, simpleMap(3n))).routeMap;
    refused(await mounted.post(tampered), "BAD_SIGNATURE");
    assert.equal(routes.snapshot, before);
  });

  Deno.test(`${name}: an invalid map is INVALID_ROUTE_MAP naming every problem, changing nothing`, async () => {
    const { routes, mounted } = setUp(surface);
    const before = routes.snapshot;
    const invalid = await signRouteMap(ops, {
      version: 11n,
      routes: [
        { name: "dup", match: "a.*", targets: [{ topic: "bad topic!" }] },
        { name: "dup", match: "B*", targets: [] },
      ],
    });
    const answer = refused(await mounted.post(invalid), "INVALID_ROUTE_MAP");
    for (const path of ["routes[0].targets[0].topic", "routes[1].match", "routes[1].name", "routes[1].targets"]) {
      assert.ok(answer.message.includes(`${path}: `), `${path} missing from: ${answer.message}`);
    }
    assert.equal(routes.snapshot, before);
  });

  Deno.test(`${name}: an update over the size cap is ROUTE_UPDATE_TOO_LARGE, changing nothing`, async () => {
    const { routes, mounted } = setUp(surface);
    const before = routes.snapshot;
    const huge = simpleMap(2n);
    huge.routes = Array.from(
      { length: 200 },
      (_, i) => ({ name: `r${i}`, match: `t${i}.*`, targets: [{ topic: "game.treasure" }] }),
    );
    refused(await mounted.post(await signRouteMap(ops, huge)), "ROUTE_UPDATE_TOO_LARGE");
    assert.equal(routes.snapshot, before);
  });

  Deno.test(`${name}: an unreadable body, or a signed route_map that is no RouteMap, is MALFORMED_ROUTE_UPDATE, changing nothing`, async () => {
    const { routes, mounted } = setUp(surface);
    const before = routes.snapshot;
    refused(await mounted.postMalformed(), "MALFORMED_ROUTE_UPDATE");
    const empty = create(SignedRouteMapSchema, { keyId: ops.id, signature: new Uint8Array(64) });
    refused(await mounted.post(empty), "MALFORMED_ROUTE_UPDATE");
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, ops.privateKey, garbage));
    const notAMap = create(SignedRouteMapSchema, { routeMap: garbage, keyId: ops.id, signature });
    refused(await mounted.post(notAMap), "MALFORMED_ROUTE_UPDATE");
    assert.equal(routes.snapshot, before);
  });

  Deno.test(`${name}: a map whose topics cannot be ensured is ROUTE_TOPICS_UNAVAILABLE saying why, changing nothing`, async () => {
    const ensured: string[][] = [];
    const { routes, mounted } = setUp(surface, {
      topics: {
        ensure: (topics) => {
          ensured.push([...topics]);
          return Promise.reject(new Error("broker down"));
        },
      },
    });
    const before = routes.snapshot;
    const answer = refused(await mounted.post(await signRouteMap(ops, simpleMap(2n))), "ROUTE_TOPICS_UNAVAILABLE");
    assert.match(answer.message, /broker down/);
    assert.deepEqual(ensured, [["game.player-activity", "game.treasure", "veltrix.unrouted"]]);
    assert.equal(routes.snapshot, before);
  });
}
