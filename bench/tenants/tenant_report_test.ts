import assert from "node:assert/strict";
import {
  edgeEnvNote,
  renderPooledSamples,
  type RoundRecord,
  spread,
  summarize,
  type TenantRun,
} from "./tenant_report.ts";
import { histogramOf } from "./latency_histogram.ts";
import type { RoundResult } from "./tenant_client.ts";
import { edgeOverrides, isFullTenantRun, tenantSettings } from "./tenant_settings.ts";

function result(p99: number, sent: number, acked: number, codes: Record<string, number> = {}): RoundResult {
  const rejected = Object.values(codes).reduce((a, b) => a + b, 0);
  return {
    sent,
    acked,
    rejected,
    rejectCodes: codes,
    unanswered: sent - acked - rejected,
    latencyMs: { count: acked, p50: p99 / 4, p99, p999: p99 * 2, max: p99 * 3 },
    sendLagP99Ms: 1,
  };
}

Deno.test("spread() is the min, the lower median and the max", () => {
  assert.deepEqual(spread([3, 1, 2]), { min: 1, median: 2, max: 3 });
  assert.deepEqual(spread([4, 1, 3, 2]), { min: 1, median: 2, max: 4 });
});

Deno.test("summarize() sums each mode's rounds: p99 spread, ratio to alone, counts, rates and edge CPU", () => {
  const rounds: RoundRecord[] = [
    {
      repetition: 1,
      mode: "alone",
      quiet: result(10, 2000, 2000),
      edgeQuietP99Ms: 5,
      edgeCpuS: 1,
      brokerCpuS: 2,
      wallS: 10,
    },
    {
      repetition: 2,
      mode: "alone",
      quiet: result(12, 2000, 2000),
      edgeQuietP99Ms: 7,
      edgeCpuS: 1,
      brokerCpuS: 2,
      wallS: 10,
    },
    {
      repetition: 3,
      mode: "alone",
      quiet: result(8, 2000, 2000),
      edgeQuietP99Ms: 6,
      edgeCpuS: 1,
      brokerCpuS: 2,
      wallS: 10,
    },
    {
      repetition: 1,
      mode: "flooding",
      quiet: result(15, 2000, 2000),
      edgeQuietP99Ms: null,
      other: result(20, 50_000, 6000, { OVERLOADED: 44_000 }),
      edgeCpuS: 4,
      brokerCpuS: 3,
      wallS: 10,
    },
    {
      repetition: 2,
      mode: "flooding",
      quiet: result(11, 2000, 1999),
      edgeQuietP99Ms: 9,
      other: result(20, 50_000, 6000, { OVERLOADED: 44_000 }),
      edgeCpuS: 4,
      brokerCpuS: 3,
      wallS: 10,
    },
  ];
  const modes = summarize(rounds, 10);
  assert.deepEqual(modes.alone.quietP99Ms, { min: 8, median: 10, max: 12 });
  assert.equal(modes.alone.p99OverAlone, 1);
  assert.equal(modes.alone.edgeQuietP99Ms, 6);
  assert.equal(modes.flooding.edgeQuietP99Ms, 9, "a round without the metric is left out");
  assert.deepEqual(modes.flooding.quietP99Ms, { min: 11, median: 11, max: 15 });
  assert.equal(modes.flooding.p99OverAlone, 1.1);
  assert.deepEqual(modes.flooding.quiet, { sent: 4000, acked: 3999, rejected: 0, unanswered: 1 });
  assert.deepEqual(modes.flooding.other.rejectCodes, { OVERLOADED: 88_000 });
  assert.equal(modes.flooding.otherOfferedRate, 5000);
  assert.equal(modes.flooding.otherAckedRate, 600);
  assert.equal(modes.flooding.edgeCpuS, 8);
  assert.equal(modes.flooding.edgeCores, 0.4);
  assert.equal(modes.flooding.brokerCpuS, 6);
  assert.equal(modes.alone.brokerCpuS, 6);
  assert.equal(modes.neighbour.rounds, 0);
  assert.equal(modes.alone.otherOfferedRate, 0);
});

Deno.test("summarize() pools every sample of a mode against alone's when the rounds carry histograms", () => {
  const evenly = (high: number) => histogramOf(Array.from({ length: 1000 }, (_, i) => 1 + (high - 1) * i / 999));
  const record = (mode: RoundRecord["mode"], high: number): RoundRecord => ({
    repetition: 1,
    mode,
    quiet: { ...result(high, 1000, 1000), histogram: evenly(high) },
    edgeQuietP99Ms: null,
    edgeCpuS: 1,
    brokerCpuS: 1,
    wallS: 10,
  });
  const modes = summarize([record("alone", 5), record("alone", 5), record("neighbour", 5), record("flooding", 7)], 10);
  const flooding = modes.flooding.pooled!;
  assert.equal(flooding.rounds, 1);
  assert.equal(flooding.aloneRounds, 2);
  assert.ok(Math.abs(flooding.ratio - 7 / 5) < 0.03, `ratio ${flooding.ratio}`);
  const lines = renderPooledSamples({ lanes: [{ lanes: "tenant", modes }] } as unknown as TenantRun);
  assert.ok(
    lines.some((l) => /^\| tenant \| flooding \| 1 \| 6\.\d\d \| 1\.\d\d \| 1\.\d\d-1\.\d\d \|$/.test(l)),
    lines.join("\n"),
  );
  assert.deepEqual(renderPooledSamples({ lanes: [] } as unknown as TenantRun), [], "older results print nothing");
});

Deno.test("a tenant run is full only with every default: not --quick, not fewer rounds, not one lane mode", () => {
  assert.equal(isFullTenantRun(false, tenantSettings([]).settings), true);
  assert.equal(isFullTenantRun(true, tenantSettings(["--quick"]).settings), false);
  assert.equal(isFullTenantRun(false, tenantSettings(["--rounds", "3"]).settings), false);
  assert.equal(isFullTenantRun(false, tenantSettings(["--lanes", "tenant"]).settings), false);
  assert.throws(() => tenantSettings(["--lanes", "tenant,wide"]), /--lanes takes tenant,shared/);
});

Deno.test("the edge settings a run inherits are its VELTRIX_* variables, sorted, and nothing else", () => {
  const env = { PATH: "/usr/bin", VELTRIX_LINGER_MS: "5", KAFKA_BROKERS: "127.0.0.1:9092", VELTRIX_IDLE_SEND: "false" };
  assert.deepEqual(Object.entries(edgeOverrides(env)), [["VELTRIX_IDLE_SEND", "false"], ["VELTRIX_LINGER_MS", "5"]]);
  assert.deepEqual(edgeOverrides({ HOME: "/root" }), {});
});

Deno.test("the Markdown names the edge settings a run inherited, the defaults, or that older results did not record them", () => {
  assert.equal(
    edgeEnvNote({ VELTRIX_IDLE_SEND: "false", VELTRIX_LINGER_MS: "5" }),
    "settings from the environment: VELTRIX_IDLE_SEND=false, VELTRIX_LINGER_MS=5",
  );
  assert.equal(edgeEnvNote({}), "settings: the defaults (no VELTRIX_* variable set)");
  assert.equal(edgeEnvNote(undefined), "settings from the environment: not recorded");
});
