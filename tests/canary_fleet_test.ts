/**
 * Canary route maps on a fleet of real edges and the real broker. Edges a and b share the route
 * map and edge status topics; edge c takes only small updates (VELTRIX_ROUTE_UPDATE_MAX_BYTES), so
 * the canary, a larger map, is refused there and `routes push --canary --wait` names it. Then, with
 * c stopped: a 10% canary routes close to 10% of a few thousand players (each sending one event
 * through each edge) to the canary's topic, within 4 binomial sigmas; no player appears in both
 * topics (read back with kcat); every canary record carries the canary header; `routes status`
 * shows per-version counts that add up to what Kafka holds; `routes promote` and `routes abort`
 * converge on both edges; a claim cohort (`--canary-claim cohort=beta`) takes exactly the players
 * whose token says so.
 */
import assert from "node:assert/strict";
import { runRoutesCli } from "../src/control/cli/routes_cli.ts";
import type { FleetAnswer } from "../src/control/cli/rollout_cli.ts";
import { CANARY_HEADER } from "../src/core/routing/record_headers.ts";
import { type EdgeProcess, ownFleetTopics, startEdgeProcess } from "./support/edge_process.ts";
import { fleetUntil } from "./support/fleet_view.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

async function cli(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runRoutesCli(args, (line) => lines.push(line));
  console.log(`$ routes ${args.filter((a) => !a.includes("/")).join(" ")} (exit ${code})\n${lines.join("\n")}`);
  return { code, lines };
}

/** Connects `player` to `edge`, sends one event, waits for its ack and closes. */
async function sendOne(edge: EdgeProcess, player: string, id: string, claims: Record<string, unknown> = {}) {
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player, claims));
  try {
    client.sendJson([{ id, type: "player.moved", data: { x: 1 } }]);
    await client.waitForAcks([id], 30_000);
  } finally {
    await client.close();
  }
}

/** The players whose records `topic` holds since `sinceMs`, with how many records each. */
async function playersIn(topic: string, sinceMs: number) {
  const records = await readTopic(testBrokers(), topic, sinceMs);
  const players = new Map<string, number>();
  for (const record of records) players.set(record.key!, (players.get(record.key!) ?? 0) + 1);
  return { records, players };
}

Deno.test("a 10% canary on two edges: binomial share, no player in both topics, counts, promote and abort converge", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const dir = await Deno.makeTempDir({ prefix: "veltrix-canary-" });
  const keyId = `ops-canary-${run}`;
  const keygen = await cli(["keygen", "--out", dir, "--id", keyId]);
  assert.equal(keygen.code, 0);
  const trust = keygen.lines.at(-1)!;
  const sign = ["--key", `${dir}/${keyId}.key`, "--key-id", keyId];
  const stableTopic = `game.stable-${run}`;
  const canaryTopic = `game.canary-${run}`;
  const writeMap = async (name: string, version: number, topic: string, padding = 0) => {
    const routes = [{ name: "players", match: "player.*", targets: [{ topic }] }];
    for (let i = 0; i < padding; i++) routes.push({ name: `pad-${i}`, match: `pad${i}.*`, targets: [{ topic }] });
    const path = `${dir}/${name}.json`;
    await Deno.writeTextFile(path, JSON.stringify({ version: String(version), routes }));
    return path;
  };
  const common = {
    ...ownFleetTopics(),
    VELTRIX_EDGE_HEARTBEAT_MS: "300",
    VELTRIX_EDGE_STALE_MS: "3000",
    VELTRIX_TRUSTED_KEYS: trust,
  };
  const ids = [`edge-a-${run}`, `edge-b-${run}`, `edge-c-${run}`];
  const edges: EdgeProcess[] = await Promise.all([
    startEdgeProcess({ ...common, VELTRIX_EDGE_ID: ids[0]! }),
    startEdgeProcess({ ...common, VELTRIX_EDGE_ID: ids[1]! }),
    startEdgeProcess({ ...common, VELTRIX_EDGE_ID: ids[2]!, VELTRIX_ROUTE_UPDATE_MAX_BYTES: "1024" }),
  ]);
  try {
    const [a, b, c] = edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const admin = ["--admin", `http://127.0.0.1:${a.adminPort}`];
    await fleetUntil(a, (f) => f.live.length === 3, "three live edges");
    const stable = await cli(["push", ...admin, ...sign, "--wait", await writeMap("stable", 2, stableTopic)]);
    assert.equal(stable.code, 0);

    // The canary is larger than edge c takes: refused there, and the rollout names it.
    const canaryMap = await writeMap("canary", 3, canaryTopic, 40);
    const refused = await cli(["push", ...admin, ...sign, "--canary", "10%", "--salt", run, "--wait", canaryMap]);
    assert.equal(refused.code, 1);
    const report = refused.lines.join("\n");
    assert.match(report, /applied version 3 as a canary for 10% of players/);
    // The report is the fleet when edge c's refusal shows, which may be before edge b applied it.
    assert.match(report, /rollout of version 3 FAILED after [\d.]+ s: [12]\/3 live edges have it/);
    assert.match(report, new RegExp(`${ids[2]}: refused it: ROUTE_UPDATE_TOO_LARGE`));
    assert.match(report, new RegExp(`in force on: ${ids[0]}`));
    await fleetUntil(a, (f) => f.live.filter((e) => e.canary?.version === "3").length === 2, "the canary on a and b");
    const withRefusal = await cli(["status", ...admin]);
    assert.match(withRefusal.lines.join("\n"), new RegExp(`${ids[2]}\\s+live\\s+2\\s+-\\s.*v3 ROUTE_UPDATE_TOO_LARGE`));
    for (const id of ids.slice(0, 2)) {
      assert.match(withRefusal.lines.join("\n"), new RegExp(`${id}\\s+live\\s+2\\s+3 \\(10%\\)\\s`));
    }
    await c.stop();
    await fleetUntil(a, (f) => f.live.length === 2, "edge c gone");

    // A few thousand players, each sending one event through each edge, in their own connections.
    const players = 2_000;
    const sinceMs = Date.now() - 1_000;
    for (let first = 0; first < players; first += 100) {
      await Promise.all(Array.from({ length: Math.min(100, players - first) }, async (_, i) => {
        const player = `p-${run}-${first + i}`;
        await sendOne(a, player, `${player}-a`);
        await sendOne(b, player, `${player}-b`);
      }));
    }
    const inStable = await playersIn(stableTopic, sinceMs);
    const inCanary = await playersIn(canaryTopic, sinceMs);
    const share = inCanary.players.size;
    const sigma = Math.sqrt(players * 0.1 * 0.9);
    console.log(`canary players: ${share} of ${players} (expected ${players * 0.1} ± ${(4 * sigma).toFixed(1)})`);
    assert.ok(Math.abs(share - players * 0.1) <= 4 * sigma, `${share} of ${players} players went to the canary`);
    assert.equal(inStable.players.size + share, players);
    for (const player of inCanary.players.keys()) {
      assert.ok(!inStable.players.has(player), `${player} is in both topics`);
    }
    for (const count of [...inCanary.players.values(), ...inStable.players.values()]) assert.equal(count, 2);
    assert.ok(
      inCanary.records.every((r) => r.headers[CANARY_HEADER] === "true" && r.headers["veltrix-route-version"] === "3"),
    );
    assert.ok(inStable.records.every((r) => r.headers[CANARY_HEADER] === undefined));

    // Per-version counts, summed over the fleet, equal what Kafka holds.
    const total = (f: FleetAnswer, role: string) =>
      f.live.flatMap((e) => e.counts ?? []).filter((x) => x.role === role).reduce((sum, x) => sum + x.routed, 0);
    await fleetUntil(a, (f) => total(f, "stable") + total(f, "canary") === 2 * players, "counts of every event");
    const status = await cli(["status", ...admin]);
    const text = status.lines.join("\n");
    assert.match(text, new RegExp(`\\(fleet\\)\\s+2\\s+stable\\s+${inStable.records.length}\\s+0\\s+0`));
    assert.match(text, new RegExp(`\\(fleet\\)\\s+3\\s+canary\\s+${inCanary.records.length}\\s+0\\s+0`));

    // Promote: the canary's map is the stable map everywhere, as version 4.
    const promoted = await cli(["promote", ...admin, ...sign, "--wait"]);
    assert.equal(promoted.code, 0);
    assert.match(promoted.lines.join("\n"), /version 4 is in force on 2\/2 live edges/);
    const afterPromote = await fleetUntil(
      a,
      (f) => f.live.every((e) => e.version === "4" && e.canary === undefined),
      "version 4 and no canary",
    );
    assert.equal(afterPromote.live.length, 2);
    const routesB = await (await fetch(`http://127.0.0.1:${b.adminPort}/v1/routes`)).json();
    assert.equal(routesB.canary, null);
    assert.equal(routesB.routeMap.routes[0].targets[0].topic, canaryTopic);

    // A claim cohort, then abort: the stable map (version 4's) again, as version 6.
    const claimMap = await writeMap("claim", 5, stableTopic);
    const claim = await cli(["push", ...admin, ...sign, "--canary-claim", "cohort=beta", claimMap]);
    assert.equal(claim.code, 0);
    const claimStatus = await cli(["status", ...admin, "--wait"]);
    assert.equal(claimStatus.code, 0);
    assert.match(claimStatus.lines.join("\n"), /version 5 is in force on 2\/2 live edges/);
    assert.match(claimStatus.lines.join("\n"), new RegExp(`${ids[1]}\\s+live\\s+4\\s+5 \\(cohort=beta\\)\\s`));
    const claimSince = Date.now() - 1_000;
    await sendOne(b, `beta-${run}`, `beta-${run}-1`, { cohort: "beta" });
    await sendOne(b, `alpha-${run}`, `alpha-${run}-1`, { cohort: "alpha" });
    await sendOne(a, `none-${run}`, `none-${run}-1`);
    assert.deepEqual([...(await playersIn(stableTopic, claimSince)).players.keys()], [`beta-${run}`]);
    assert.deepEqual(
      [...(await playersIn(canaryTopic, claimSince)).players.keys()].sort(),
      [`alpha-${run}`, `none-${run}`],
    );
    const aborted = await cli(["abort", ...admin, ...sign, "--wait"]);
    assert.equal(aborted.code, 0);
    assert.match(aborted.lines.join("\n"), /version 6 is in force on 2\/2 live edges/);
    await fleetUntil(a, (f) => f.live.every((e) => e.version === "6" && e.canary === undefined), "abort everywhere");
    const afterAbort = await (await fetch(`http://127.0.0.1:${b.adminPort}/v1/routes`)).json();
    assert.equal(afterAbort.routeMap.routes[0].targets[0].topic, canaryTopic);
    const final = await cli(["status", ...admin, "--wait"]);
    assert.equal(final.code, 0);
    assert.match(final.lines.join("\n"), /version 6 is in force on 2\/2 live edges/);
  } finally {
    await Promise.all(edges.map((edge) => edge.stop()));
    await Deno.remove(dir, { recursive: true });
  }
});
