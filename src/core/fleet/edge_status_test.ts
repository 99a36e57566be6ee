import assert from "node:assert/strict";
import { decodeEdgeStatus, type EdgeStatus, encodeEdgeStatus } from "./edge_status.ts";
import { fleetView, rolloutProgress } from "./fleet_view.ts";

const at = (ms: number) => new Date(ms).toISOString();
function status(edgeId: string, version: string, heartbeatMs: number, refused?: EdgeStatus["refused"]): EdgeStatus {
  const base = {
    edgeId,
    version,
    appliedAt: at(0),
    source: "topic" as const,
    startedAt: at(0),
    heartbeatAt: at(heartbeatMs),
  };
  return refused === undefined ? base : { ...base, refused };
}

Deno.test("decodeEdgeStatus() reads what encodeEdgeStatus() wrote, and refuses records that are not statuses", () => {
  const refused = { version: "3", code: "UNKNOWN_SIGNING_KEY", reason: 'key id "ops-2" is not trusted', at: at(5) };
  for (const s of [status("edge-a", "2", 10), status("edge-b", "1", 10, refused)]) {
    assert.deepEqual(decodeEdgeStatus(encodeEdgeStatus(s)), s);
  }
  const bad = ["{", "null", "[]", '{"edgeId":"a"}', JSON.stringify({ ...status("a", "x", 1) })];
  bad.push(JSON.stringify({ ...status("a", "1", 1), source: "elsewhere" }));
  bad.push(JSON.stringify({ ...status("a", "1", 1), refused: { code: 3 } }));
  for (const text of bad) assert.equal(decodeEdgeStatus(new TextEncoder().encode(text)), undefined, text);
});

Deno.test("fleetView() counts an edge whose heartbeat is older than the stale limit as gone", () => {
  const view = fleetView([status("b", "2", 9_000), status("a", "2", 1_000), status("c", "2", 5_000)], 10_000, 5_000);
  assert.deepEqual(view.live.map((s) => s.edgeId), ["b", "c"]);
  assert.deepEqual(view.gone.map((s) => s.edgeId), ["a"]);
});

Deno.test("rolloutProgress() names the edges that have the version, refused it, or have not reported it yet", () => {
  const refusal = { version: "3", code: "UNKNOWN_SIGNING_KEY", reason: "no key", at: at(1) };
  const older = { ...refusal, version: "2" };
  const live = [status("a", "3", 1), status("b", "2", 1, refusal), status("c", "2", 1, older), status("d", "4", 1)];
  const progress = rolloutProgress(live, 3n);
  assert.deepEqual(progress.converged.map((s) => s.edgeId), ["a", "d"]);
  assert.deepEqual(progress.refused.map((s) => s.edgeId), ["b"]);
  assert.deepEqual(progress.pending.map((s) => s.edgeId), ["c"]);
  assert.equal(progress.done, false);
  assert.equal(rolloutProgress([status("a", "3", 1)], 3n).done, true);
  assert.equal(rolloutProgress([], 3n).done, false, "no live edge is no rollout");
});

Deno.test("decodeEdgeStatus() reads the source an earlier release called fleet as the route map topic", () => {
  const text = JSON.stringify({
    edgeId: "old-edge",
    version: "3",
    appliedAt: "2026-12-01T10:00:00Z",
    source: "fleet",
    startedAt: "2026-12-01T09:00:00Z",
    heartbeatAt: "2026-12-01T10:00:01Z",
  });
  assert.equal(decodeEdgeStatus(new TextEncoder().encode(text))?.source, "topic");
});
