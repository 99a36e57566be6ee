import assert from "node:assert/strict";
import { cpuUsPerEvent } from "./bench_result.ts";

Deno.test("cpuUsPerEvent() is the edge's CPU time over acked events, unrounded cores first", () => {
  const edge = { rssMb: 1, rssMaxMb: 1, cpuPercent: 30, eventLoopDelayP99Ms: 1 };
  assert.equal(cpuUsPerEvent({ edge: { ...edge, cpuCores: 0.296 }, achievedRate: 4000 }), 74);
  assert.equal(cpuUsPerEvent({ edge, achievedRate: 4000 }), 75, "runs without cpuCores use the rounded percent");
  assert.equal(cpuUsPerEvent({ achievedRate: 4000 }), undefined, "no edge sample (the sink)");
  assert.equal(cpuUsPerEvent({ edge, achievedRate: 0 }), undefined);
});
