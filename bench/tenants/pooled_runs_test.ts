import assert from "node:assert/strict";
import { poolRuns, renderPooled } from "./pooled_runs.ts";
import type { TenantRun } from "./tenant_report.ts";
import type { Mode } from "./tenant_settings.ts";

/** A run holding only what pooling reads: each lane mode's rounds and their quiet p99s. */
function run(lanes: Record<string, Record<Mode, number[]>>): TenantRun {
  return {
    lanes: Object.entries(lanes).map(([name, modes]) => ({
      lanes: name,
      rounds: Object.entries(modes).flatMap(([mode, p99s]) =>
        p99s.map((p99) => ({ mode: mode as Mode, quiet: { latencyMs: { p99 } } }))
      ),
    })),
  } as unknown as TenantRun;
}

Deno.test("poolRuns() takes the median over every round of every run, against the pooled alone median", () => {
  const pooled = poolRuns([
    run({ tenant: { alone: [5, 6, 7], neighbour: [6, 6, 6], flooding: [7, 7, 8] } }),
    run({ tenant: { alone: [6, 6, 8], neighbour: [6, 7, 7], flooding: [6, 9, 9] } }),
  ]);
  assert.equal(pooled.length, 1);
  const [tenant] = pooled;
  assert.equal(tenant!.runs, 2);
  assert.deepEqual(tenant!.modes.alone, { rounds: 6, medianP99Ms: 6, overAlone: 1, perRun: [1, 1] }, "no histograms");
  // Flooding rounds 6, 7, 7, 8, 9, 9: the lower median is 7, over the pooled alone 6.
  assert.equal(tenant!.modes.flooding.medianP99Ms, 7);
  assert.equal(tenant!.modes.flooding.overAlone, 1.167);
  // Each run on its own: 7 / 6 and 9 / 6.
  assert.deepEqual(tenant!.modes.flooding.perRun, [1.167, 1.5]);
});

Deno.test("poolRuns() keeps the lane modes apart, and renderPooled() names the files", () => {
  const pooled = poolRuns([
    run({
      tenant: { alone: [5], neighbour: [5], flooding: [6] },
      shared: { alone: [5], neighbour: [9], flooding: [10] },
    }),
  ]);
  assert.deepEqual(pooled.map((p) => p.lanes), ["tenant", "shared"]);
  assert.equal(pooled[1]!.modes.flooding.overAlone, 2);
  const text = renderPooled(pooled, ["a.json"]);
  assert.match(text, /^Pooled rounds of 1 run\(s\): a\.json/);
  assert.match(text, /\| shared \| flooding \| 1 \| 10 \| 2 \| - \| 2 \|/, "older results have no histograms");
});

Deno.test("poolRuns() takes every sample of every round together when the rounds carry histograms", () => {
  const evenly = (low: number, high: number) => {
    const histogram: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const bucket = Math.floor((low + (high - low) * i / 999) / 0.05);
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    }
    return histogram;
  };
  const withHistograms = {
    lanes: [{
      lanes: "tenant",
      rounds: [
        { mode: "alone", quiet: { latencyMs: { p99: 5 }, histogram: evenly(1, 5) } },
        { mode: "alone", quiet: { latencyMs: { p99: 5 }, histogram: evenly(1, 5) } },
        { mode: "neighbour", quiet: { latencyMs: { p99: 5 }, histogram: evenly(1, 5) } },
        { mode: "flooding", quiet: { latencyMs: { p99: 6 }, histogram: evenly(1, 6) } },
        { mode: "flooding", quiet: { latencyMs: { p99: 6 }, histogram: evenly(1, 6) } },
      ],
    }],
  } as unknown as TenantRun;
  const [tenant] = poolRuns([withHistograms]);
  const samples = tenant!.modes.flooding.samples!;
  assert.equal(samples.rounds, 2);
  assert.ok(Math.abs(samples.ratio - 6 / 5) < 0.02, `ratio ${samples.ratio}`);
  assert.ok(samples.low <= samples.ratio && samples.ratio <= samples.high);
  assert.match(
    renderPooled([tenant!], ["b.json"]),
    /\| tenant \| flooding \| 2 \| 6 \| 1\.2 \| 1\.\d+ \(1\.\d+-1\.\d+\) \|/,
  );
});
