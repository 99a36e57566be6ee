/**
 * `deno task demo` against a live edge: simulated players send the treasure-hunt mix through the
 * SDK for the given time, at the given rate, and every event they send is acked by the time the
 * demo has closed its clients.
 */
import assert from "node:assert/strict";
import { TREASURE_HUNT_MIX } from "../bench/treasure_hunt_mix.ts";
import type { DemoSummary } from "../tools/demo/demo_tally.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { TEST_JWT_SECRET } from "./support/tokens.ts";

const PLAYERS = 20;
const RATE = 5;
const DURATION_S = 3;

Deno.test("the demo's players send at their rate for the duration, and every event is acked", async () => {
  const edge = await startEdgeProcess();
  try {
    const demo = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("../tools/demo/treasure_hunt_demo.ts", import.meta.url).pathname,
        "--url",
        edge.ingestUrl,
        "--players",
        String(PLAYERS),
        "--rate",
        String(RATE),
        "--duration",
        String(DURATION_S),
      ],
      env: { VELTRIX_JWT_SECRET: TEST_JWT_SECRET },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const killer = setTimeout(() => demo.kill("SIGKILL"), 60_000);
    const { code, stdout, stderr } = await demo.output();
    clearTimeout(killer);
    const out = new TextDecoder().decode(stdout);
    assert.equal(code, 0, `the demo exits 0; stdout:\n${out}\nstderr:\n${new TextDecoder().decode(stderr)}`);

    const summary: DemoSummary = JSON.parse(out.trim().split("\n").at(-1)!);
    assert.match(out, /Treasure hunt over after/, "a summary for people comes before the JSON line");
    assert.equal(summary.players, PLAYERS);
    const expected = PLAYERS * RATE * DURATION_S;
    assert.ok(
      summary.sent >= expected * 0.6 && summary.sent <= expected + PLAYERS,
      `${summary.sent} sent, about ${expected} expected`,
    );
    assert.equal(summary.acked, summary.sent, "every event sent is acked");
    assert.equal(summary.rejected, 0);
    assert.equal(summary.outboxFull, 0);
    assert.equal(summary.lost, 0);

    const mixTypes = new Set(TREASURE_HUNT_MIX.map((e) => e.type));
    const byType = Object.entries(summary.byType).sort(([, a], [, b]) => b - a);
    assert.ok(byType.every(([type]) => mixTypes.has(type)), `only the mix's types: ${JSON.stringify(byType)}`);
    assert.equal(byType[0]?.[0], "player.moved", "players move most");
    assert.ok((summary.byType["treasure.collected"] ?? 0) > 0, "and collect treasure");
  } finally {
    assert.equal(await edge.stop(), 0);
  }
  const closes = edge.logs.filter((l) => l.msg === "connection closed" && String(l.player).startsWith("hunter-"));
  assert.ok(closes.length > 0, "the edge logged the players leaving");
  for (const close of closes) {
    assert.deepEqual([close.code, close.reason, close.eventsRejected], [1000, "client closed", 0], "a clean close");
  }
});
