import assert from "node:assert/strict";
import { measureRouteApply, routeApplyInOwnProcess, routeApplyRows } from "./route_apply.ts";

Deno.test("measureRouteApply() times every update of each size by RouteControl's clock, in order", async () => {
  const times = await measureRouteApply({ sizes: [10, 100], runs: 12 });
  assert.deepEqual(times.map((t) => [t.routes, t.runs]), [[10, 12], [100, 12]]);
  for (const t of times) {
    assert.ok(t.minMs >= 0 && t.minMs <= t.medianMs, `min ${t.minMs} <= median ${t.medianMs}`);
    assert.ok(t.medianMs <= t.p90Ms && t.p90Ms <= t.p99Ms && t.p99Ms <= t.maxMs, JSON.stringify(t));
    assert.ok(t.perSecond > 0);
  }
  assert.ok(times[1]!.updateBytes > times[0]!.updateBytes * 5, "a map of 100 routes is larger than one of 10");
});

Deno.test("routeApplyRows() puts the median in p50 and keeps min and size in the notes", () => {
  const { rows, summary } = routeApplyRows([
    {
      routes: 1000,
      updateBytes: 52_000,
      runs: 200,
      minMs: 1.5,
      medianMs: 2,
      p90Ms: 3,
      p99Ms: 4,
      maxMs: 9,
      perSecond: 400,
    },
  ]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.scenario, "route-apply");
  assert.equal(rows[0]!.label, "1,000 routes, 51 KB update");
  assert.deepEqual([rows[0]!.latencyMs.p50, rows[0]!.latencyMs.p99, rows[0]!.latencyMs.max], [2, 4, 9]);
  assert.match(rows[0]!.notes!, /min 1\.5 ms, median 2 ms, p99 4 ms, max 9 ms over 200 updates of 52000 bytes/);
  assert.deepEqual(summary, { "routeApplyMedianMs@1000": 2, "routeApplyP99Ms@1000": 4 });
});

Deno.test("routeApplyInOwnProcess() runs the quick scenario in a child process and returns its rows", async () => {
  const { rows, summary } = await routeApplyInOwnProcess(true);
  assert.ok(rows.length >= 8, `${rows.length} rows`);
  assert.ok(rows.every((r) => r.scenario === "route-apply" && r.sent > 0 && Number.isNaN(r.latencyMs.p999)));
  assert.ok(summary["routeApplyMedianMs@1000"]! > 0 && summary["routeApplyMedianMs@10000AllNew"]! > 0);
});
