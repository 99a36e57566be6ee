import assert from "node:assert/strict";
import { Hono } from "hono";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import type { DryRunReport } from "../core/fleet/dry_run.ts";
import { embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { TrafficSketch } from "../core/fleet/traffic_sketch.ts";
import {
  makeSigningKey,
  signedBytes,
  signedJson,
  signRouteMap,
  simpleMap,
} from "../core/updates/testing/route_signing.ts";
import { DryRunLog, mountDryRunRoutes } from "./dry_run_routes.ts";

/** A key no edge trusts: a dry run checks no signature. */
const untrusted = await makeSigningKey("nobody-trusts-this");

function app() {
  const traffic = new TrafficSketch({}, Date.now() - 60_000);
  for (let i = 0; i < 8; i++) traffic.record("player.moved", { x: i }, Date.now());
  for (let i = 0; i < 2; i++) traffic.record("lobby.ping", null, Date.now());
  const log = new DryRunLog();
  const hono = new Hono();
  mountDryRunRoutes(hono, {
    routes: new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap()))),
    traffic,
    log,
  });
  return { hono, log };
}

Deno.test("POST /v1/routes:dry-run takes a signed map as protobuf or JSON, whoever signed it, and records it as the last", async () => {
  const { hono, log } = app();
  const signed = await signRouteMap(untrusted, simpleMap(2n, "game.players-v2"));
  const bodies: [string, BodyInit][] = [
    ["application/x-protobuf", signedBytes(signed)],
    ["application/json", signedJson(signed)],
  ];
  for (const [type, body] of bodies) {
    const response = await hono.request("/v1/routes:dry-run", {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    assert.equal(response.status, 200, type);
    const report = await response.json() as DryRunReport;
    assert.equal(report.candidateVersion, "2");
    assert.deepEqual(report.changes.map((c) => [c.type, c.events, c.share]), [["player.moved", 8, 0.8]]);
    assert.equal(report.window.events, 10);
  }
  assert.equal(log.last?.candidateVersion, "2");
  assert.ok(!Number.isNaN(Date.parse(log.last!.at)));
});

Deno.test("POST /v1/routes:dry-run answers 400 to a body that is not a map, 422 listing the problems of an invalid one", async () => {
  const { hono, log } = app();
  const garbage = await hono.request("/v1/routes:dry-run", {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: new Uint8Array([0xff, 0xff, 0xff]),
  });
  assert.equal(garbage.status, 400);
  assert.equal((await garbage.json()).error.code, "MALFORMED_ROUTE_UPDATE");
  const invalid = await hono.request("/v1/routes:dry-run", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ version: "2", routes: [{ name: "", match: "a b", targets: [] }] }),
  });
  assert.equal(invalid.status, 422);
  const body = await invalid.json();
  assert.equal(body.error.code, "INVALID_ROUTE_MAP");
  assert.deepEqual(body.problems.map((p: { path: string }) => p.path), [
    "routes[0].name",
    "routes[0].match",
    "routes[0].targets",
  ]);
  assert.equal(log.last, undefined, "a refused dry run is not recorded");
});
