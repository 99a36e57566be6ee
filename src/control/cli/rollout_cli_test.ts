import assert from "node:assert/strict";
import { type FleetAnswer, type FleetEdgeJson, fleetTable, parseDuration, waitForRollout } from "./rollout_cli.ts";

function edge(edgeId: string, version: string, refused?: FleetEdgeJson["refused"]): FleetEdgeJson {
  const base = {
    edgeId,
    version,
    appliedAt: "2026-12-01T10:00:00.000Z",
    source: "topic" as const,
    startedAt: "2026-12-01T09:00:00.000Z",
    heartbeatAt: "2026-12-01T10:00:01.000Z",
    heartbeatAgeMs: 400,
  };
  return refused === undefined ? base : { ...base, refused };
}

const answers = (...list: FleetAnswer[]) => {
  let i = 0;
  return () => Promise.resolve(list[Math.min(i++, list.length - 1)]!);
};

Deno.test("parseDuration() reads ms, s, m and bare seconds, and refuses anything else", () => {
  assert.deepEqual(["500ms", "30s", "2m", "45", "1.5s"].map(parseDuration), [500, 30_000, 120_000, 45_000, 1_500]);
  assert.deepEqual(["", "s", "10h", "-3s"].map(parseDuration), [undefined, undefined, undefined, undefined]);
});

Deno.test("waitForRollout() exits 0 once every live edge has the version, however long the others took", async () => {
  const lines: string[] = [];
  const readFleet = answers(
    { staleMs: 3_000, live: [edge("a", "4"), edge("b", "3")], gone: [] },
    { staleMs: 3_000, live: [edge("a", "4"), edge("b", "4")], gone: [edge("c", "1")] },
  );
  const code = await waitForRollout({ version: 4n, timeoutMs: 5_000, readFleet, out: (l) => lines.push(l), pollMs: 1 });
  assert.equal(code, 0);
  assert.match(lines.at(-1)!, /^version 4 is in force on 2\/2 live edges after [\d.]+ s: a, b$/);
});

Deno.test("waitForRollout() exits 1 at once when a live edge refused the version, naming it and its reason", async () => {
  const lines: string[] = [];
  const refusal = { version: "4", code: "ROUTE_TOPICS_UNAVAILABLE", reason: "topics not ready", at: "" };
  const readFleet = answers({
    staleMs: 3_000,
    live: [edge("a", "4"), edge("b", "3", refusal), edge("c", "3")],
    gone: [],
  });
  const code = await waitForRollout({ version: 4n, timeoutMs: 60_000, readFleet, out: (l) => lines.push(l) });
  assert.equal(code, 1);
  assert.deepEqual(lines.slice(1), [
    lines[1]!,
    "  b: refused it: ROUTE_TOPICS_UNAVAILABLE: topics not ready",
    "  c: still on version 3 (pending)",
    "  in force on: a",
  ]);
  assert.match(lines[1]!, /^rollout of version 4 FAILED after [\d.]+ s: 1\/3 live edges have it$/);
});

Deno.test("waitForRollout() exits 1 when the timeout passes, naming the edges still on an older version", async () => {
  const lines: string[] = [];
  const readFleet = answers({ staleMs: 3_000, live: [edge("a", "4"), edge("b", "3")], gone: [] });
  const code = await waitForRollout({ version: 4n, timeoutMs: 30, readFleet, out: (l) => lines.push(l), pollMs: 5 });
  assert.equal(code, 1);
  assert.ok(lines.includes("  b: still on version 3 (timed out)"));
});

Deno.test("fleetTable() gives one aligned line per edge, live first, with the last refusal", () => {
  const refusal = { version: "4", code: "UNKNOWN_SIGNING_KEY", reason: "no key", at: "" };
  const lines = fleetTable({
    staleMs: 3_000,
    live: [edge("edge-a", "4"), edge("b", "3", refusal)],
    gone: [edge("c", "1")],
  });
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^EDGE\s+STATE\s+VERSION\s+CANARY\s+APPLIED\s+FROM\s+HEARTBEAT\s+LAST REFUSED$/);
  assert.match(
    lines[2]!,
    /^b\s+live\s+3\s+-\s+2026-12-01T10:00:00Z\s+topic\s+0\.4 s ago\s+v4 UNKNOWN_SIGNING_KEY: no key$/,
  );
  assert.match(lines[3]!, /^c\s+gone\s+1\s/);
  assert.equal(lines[4], "2 live, 1 gone (no heartbeat for 3.0 s)");
});
