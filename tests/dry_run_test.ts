/**
 * A dry run against live traffic on a real edge: the test sends a known mix, then asks the edge
 * (over `POST /v1/routes:dry-run` and through `routes diff --traffic`) what a candidate map would
 * do to it, and checks every number against what it sent.
 */
import assert from "node:assert/strict";
import type { DryRunReport } from "../src/core/fleet/dry_run.ts";
import { runRoutesCli } from "../src/control/cli/routes_cli.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient, type TestEvent } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";

const CANDIDATE = {
  version: "2",
  routes: [
    { name: "players", match: "player.*", targets: [{ topic: "game.players-v2", format: "FORMAT_JSON" }] },
    { name: "treasure", match: "treasure.collected", targets: [{ topic: "game.treasure" }] },
  ],
  schemas: [{
    match: "treasure.collected",
    jsonSchema: { type: "object", required: ["gold"], properties: { gold: { type: "integer", minimum: 0 } } },
  }],
};

Deno.test("a dry run weighs a candidate map by the traffic the edge saw: reroutes, NO_ROUTE, schema failures", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const edge = await startEdgeProcess({ VELTRIX_DRY_RUN_SAMPLES: "64" });
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(`dry-${run}`));
  const dir = await Deno.makeTempDir({ prefix: "veltrix-dry-run-" });
  try {
    const events: TestEvent[] = [];
    const add = (n: number, type: string, data: (i: number) => TestEvent["data"]) => {
      for (let i = 0; i < n; i++) events.push({ id: `${run}-${type}-${i}`, type, data: data(i) });
    };
    add(30, "player.moved", (i) => ({ x: i, y: 1 }));
    add(10, "treasure.collected", (i) => ({ chest: i, gold: i < 4 ? -1 : 25 }));
    add(6, "treasure.opened", (i) => ({ chest: i }));
    add(4, "lobby.ping", () => null);
    client.sendJson(events);
    await client.waitForAcks(events.map((e) => e.id));

    const response = await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes:dry-run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(CANDIDATE),
    });
    assert.equal(response.status, 200);
    const report = await response.json() as DryRunReport;
    assert.deepEqual([report.currentVersion, report.candidateVersion, report.window.events], ["1", "2", 50]);
    assert.deepEqual(report.changes.map((c) => [c.type, c.events, c.share, c.after]), [
      ["player.moved", 30, 0.6, ["game.players-v2 (PLAYER, JSON)"]],
      ["treasure.collected", 10, 0.2, ["game.treasure (PLAYER, PROTOBUF)"]], // game.leaderboard dropped
    ]);
    assert.deepEqual(report.newlyNoRoute.map((c) => [c.type, c.events, c.share]).sort(), [
      ["lobby.ping", 4, 0.08],
      ["treasure.opened", 6, 0.12],
    ]);
    assert.deepEqual(report.schemas.map((s) => [s.type, s.events, s.sampled, s.failShare, s.action, s.example]), [
      ["treasure.collected", 10, 10, 0.4, "reject", { pointer: "/gold", keyword: "minimum" }],
    ]);
    const perMinute = report.changes[0]!.perMinute;
    assert.ok(Math.abs(perMinute - 30 / (report.window.coveredMs / 60_000)) < 0.1, "events/min from the window");

    const path = `${dir}/candidate.json`;
    await Deno.writeTextFile(path, JSON.stringify(CANDIDATE));
    const lines: string[] = [];
    const code = await runRoutesCli(
      ["diff", "--traffic", "--admin", `http://127.0.0.1:${edge.adminPort}`, path],
      (line) => lines.push(line),
    );
    console.log(lines.join("\n"));
    assert.equal(code, 0);
    assert.match(lines[0]!, /^dry run: version 1 -> 2, last [\d.]+ (s|min): 50 events/);
    assert.match(lines.join("\n"), /NO_ROUTE\s+treasure\.opened\s+[\d.,]+\/min\s+12\.0%/);
    assert.match(lines.join("\n"), /schema\s+treasure\.collected\s+[\d.,]+\/min\s+20\.0%\s+40\.0% of 10 samples fail/);
    assert.match(lines.join("\n"), /reroute\s+player\.moved\s+[\d.,]+\/min\s+60\.0%/);

    const invalid = await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes:dry-run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...CANDIDATE, schemas: [{ match: "x.y", jsonSchema: { pattern: "(a)\\1" } }] }),
    });
    assert.equal(invalid.status, 422);
    assert.match((await invalid.json()).error.message, /SCHEMA_UNSAFE_PATTERN/);
  } finally {
    await client.close();
    await edge.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
