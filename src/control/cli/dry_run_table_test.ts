import assert from "node:assert/strict";
import type { DryRunReport } from "../../core/fleet/dry_run.ts";
import { dryRunTable } from "./dry_run_table.ts";

const weight = (events: number, perMinute: number, share: number) => ({ events, perMinute, share });

Deno.test("dryRunTable() puts refusals first, then dead letter, schemas and reroutes, most traffic first, aligned", () => {
  const report: DryRunReport = {
    currentVersion: "4",
    candidateVersion: "5",
    window: { coveredMs: 120_000, events: 1_000, perMinute: 500 },
    changes: [
      { type: "a.low", ...weight(10, 5, 0.01), before: ["t1 (PLAYER, PROTOBUF)"], after: ["t2 (PLAYER, JSON)"] },
      { type: "a.high", ...weight(500, 250, 0.5), before: ["t1 (PLAYER, PROTOBUF)"], after: ["t3 (PLAYER, PROTOBUF)"] },
    ],
    newlyDeadLettered: [],
    newlyNoRoute: [{
      type: "lobby.ping",
      ...weight(40, 20, 0.04),
      before: ["veltrix.unrouted (PLAYER, PROTOBUF)"],
      after: [],
    }],
    schemas: [{
      type: "treasure.collected",
      ...weight(100, 50, 0.1),
      schema: "treasure.*",
      sampled: 32,
      failShare: 0.25,
      action: "reject",
      example: { pointer: "/gold", keyword: "minimum" },
    }],
    sampling: true,
    other: weight(0, 0, 0),
  };
  const lines = dryRunTable(report);
  assert.equal(lines[0], "dry run: version 4 -> 5, last 2.0 min: 1,000 events (500/min)");
  assert.match(lines[1]!, /^CHANGE\s+TYPE\s+EVENTS\s+SHARE\s+WHAT$/);
  assert.match(
    lines[2]!,
    /^NO_ROUTE\s+lobby\.ping\s+20\/min\s+4\.0%\s+veltrix\.unrouted \(PLAYER, PROTOBUF\) -> NO_ROUTE$/,
  );
  assert.match(
    lines[3]!,
    /^schema\s+treasure\.collected\s+50\/min\s+10\.0%\s+25\.0% of 32 samples fail "treasure\.\*" \(reject\) e\.g\. "\/gold" minimum$/,
  );
  assert.match(lines[4]!, /^reroute\s+a\.high\s+250\/min\s+50\.0%/);
  assert.match(lines[5]!, /^\s+a\.low\s+5\/min\s+1\.0%/);
  assert.equal(lines.length, 6);
  assert.equal(lines[2]!.indexOf("lobby.ping"), lines[4]!.indexOf("a.high"), "columns line up");
});
