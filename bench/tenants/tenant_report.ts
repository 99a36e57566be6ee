/**
 * The results of `deno task bench:tenants`: their shape, the per-mode summary of the interleaved
 * rounds (pure, tested in `tenant_report_test.ts`), and the Markdown written beside the JSON.
 *
 * @module
 */
import type { MachineLoad } from "../machine_load.ts";
import { round } from "../quantile.ts";
import { machineLoadLines } from "../report.ts";
import type { CpuPlacement } from "./cpu_placement.ts";
import { type RatioInterval, ratioInterval } from "./ratio_interval.ts";
import type { RoundResult } from "./tenant_client.ts";
import { type Mode, MODES, type TenantSettings } from "./tenant_settings.ts";

/** One measured round. */
export interface RoundRecord {
  readonly repetition: number;
  readonly mode: Mode;
  readonly quiet: RoundResult;
  /** The other tenant's generator; absent when the quiet tenant was alone. */
  readonly other?: RoundResult;
  /**
   * The quiet tenant's p99 as the edge saw it (`veltrix_tenant_ack_seconds`, frame arrival → ack,
   * interpolated within the histogram's buckets), in ms; null from an edge without that metric.
   */
  readonly edgeQuietP99Ms: number | null;
  /** The edge's CPU time over the round (from its start to the last answer), and that wall time. */
  readonly edgeCpuS: number;
  /** The dev broker's CPU time over the round (NaN, null in JSON, when its pid is unknown). */
  readonly brokerCpuS: number;
  readonly wallS: number;
}

/** min / median / max. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** A mode's rounds summed up. */
export interface ModeSummary {
  readonly rounds: number;
  /** The rounds' quiet-tenant p99s, in ms. */
  readonly quietP99Ms: Spread;
  /** Median over rounds of the quiet tenant's p50 and p99.9, in ms. */
  readonly quietP50Ms: number;
  /** Median over rounds of the edge-side quiet p99 (see {@link RoundRecord.edgeQuietP99Ms}); NaN without it. */
  readonly edgeQuietP99Ms: number;
  readonly quietP999Ms: number;
  /** median p99 of this mode over median p99 alone. */
  readonly p99OverAlone: number;
  readonly quiet: { sent: number; acked: number; rejected: number; unanswered: number };
  readonly other: {
    sent: number;
    acked: number;
    rejected: number;
    unanswered: number;
    rejectCodes: Record<string, number>;
  };
  /** The other tenant's events per second offered and acked, over the rounds' seconds. */
  readonly otherOfferedRate: number;
  readonly otherAckedRate: number;
  /** Edge CPU seconds over this mode's rounds, and in cores (over their wall time). */
  readonly edgeCpuS: number;
  readonly edgeCores: number;
  /** The dev broker's CPU seconds over this mode's rounds (its other clients' work shows here too). */
  readonly brokerCpuS: number;
  /** The worst p99 of the quiet client's send lag against its schedule (its own health), in ms. */
  readonly quietSendLagP99Ms: number;
  /**
   * The quiet tenant's p99 over every sample of this mode's rounds against alone's, with a 90%
   * bootstrap interval over rounds; absent when a round has no histogram (older results).
   */
  readonly pooled?: RatioInterval;
}

/** One edge, one produce-lane mode. */
export interface LaneResult {
  readonly lanes: string;
  /** The edge's `veltrix_kafka_producers` after the rounds; null when it does not report it (no lanes yet). */
  readonly kafkaProducers: number | null;
  readonly rounds: readonly RoundRecord[];
  readonly modes: Record<Mode, ModeSummary>;
}

/** A whole run, as `tenants-<time>.json` holds it. */
export interface TenantRun {
  readonly startedAt: string;
  readonly quick: boolean;
  readonly durationS: number;
  readonly machine: Record<string, string | number>;
  readonly machineLoad: MachineLoad;
  readonly latest: { readonly writeLatest: boolean; readonly why: string };
  readonly placement: CpuPlacement;
  readonly settings: TenantSettings;
  /** The `VELTRIX_*` variables the bench's environment passed to its edges (absent in older results). */
  readonly edgeEnv?: Readonly<Record<string, string>>;
  readonly lanes: readonly LaneResult[];
}

/** min, median (the lower middle for an even count) and max of `xs`. */
export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s[Math.floor((s.length - 1) / 2)] ?? NaN, max: s.at(-1) ?? NaN };
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((total, x) => total + f(x), 0);
}

/** Sums up each mode's rounds of one lane mode; `roundS` is the seconds each round sent for. */
export function summarize(rounds: readonly RoundRecord[], roundS: number): Record<Mode, ModeSummary> {
  const partial = MODES.map((mode) => {
    const of = rounds.filter((r) => r.mode === mode);
    const others = of.flatMap((r) => r.other ? [r.other] : []);
    const codes: Record<string, number> = {};
    for (const o of others) for (const [code, n] of Object.entries(o.rejectCodes)) codes[code] = (codes[code] ?? 0) + n;
    const counts = (xs: readonly RoundResult[]) => ({
      sent: sum(xs, (x) => x.sent),
      acked: sum(xs, (x) => x.acked),
      rejected: sum(xs, (x) => x.rejected),
      unanswered: sum(xs, (x) => x.unanswered),
    });
    const edgeCpuS = sum(of, (r) => r.edgeCpuS);
    const seconds = of.length * roundS;
    return [
      mode,
      {
        rounds: of.length,
        quietP99Ms: spread(of.map((r) => r.quiet.latencyMs.p99)),
        quietP50Ms: spread(of.map((r) => r.quiet.latencyMs.p50)).median,
        edgeQuietP99Ms: spread(of.flatMap((r) => r.edgeQuietP99Ms ?? [])).median,
        quietP999Ms: spread(of.map((r) => r.quiet.latencyMs.p999)).median,
        p99OverAlone: NaN,
        quiet: counts(of.map((r) => r.quiet)),
        other: { ...counts(others), rejectCodes: codes },
        otherOfferedRate: seconds ? round(sum(others, (o) => o.sent) / seconds) : 0,
        otherAckedRate: seconds ? round(sum(others, (o) => o.acked) / seconds) : 0,
        edgeCpuS: round(edgeCpuS),
        edgeCores: round(edgeCpuS / Math.max(1e-9, sum(of, (r) => r.wallS))),
        brokerCpuS: round(sum(of, (r) => r.brokerCpuS ?? NaN)),
        quietSendLagP99Ms: of.reduce((m, r) => Math.max(m, r.quiet.sendLagP99Ms), 0),
      } satisfies ModeSummary,
    ] as const;
  });
  const modes = Object.fromEntries(partial) as Record<Mode, ModeSummary>;
  const alone = modes.alone.quietP99Ms.median;
  const histograms = (mode: Mode) => rounds.filter((r) => r.mode === mode).map((r) => r.quiet.histogram);
  const aloneHistograms = histograms("alone");
  for (const mode of MODES) {
    const pooled = ratioInterval(histograms(mode), aloneHistograms);
    modes[mode] = {
      ...modes[mode],
      p99OverAlone: round(modes[mode].quietP99Ms.median / alone),
      ...(pooled ? { pooled } : {}),
    };
  }
  return modes;
}

const ms = (x: number) => Number.isFinite(x) ? x.toFixed(2) : "-";

/** The side-by-side table: one row per lane mode and mode. */
export function renderTable(run: TenantRun): string {
  const header =
    "| lanes | mode | quiet p99 ms min / median / max | p99 / alone | edge-side p99 ms | quiet p50 ms | quiet p99.9 ms | quiet acked / sent (rejected) | other offered → acked ev/s | other rejected | edge CPU-s (cores) | broker CPU-s | quiet send lag p99 ms (worst) |";
  const lines = [header, `|${header.split("|").slice(1, -1).map(() => "---").join("|")}|`];
  for (const lane of run.lanes) {
    for (const mode of MODES) {
      const m = lane.modes[mode];
      const codes = Object.entries(m.other.rejectCodes).map(([c, n]) => `${n} ${c}`).join(", ");
      lines.push(
        `| ${lane.lanes} | ${mode} | ${ms(m.quietP99Ms.min)} / ${ms(m.quietP99Ms.median)} / ${ms(m.quietP99Ms.max)} | ${
          m.p99OverAlone.toFixed(2)
        } | ${ms(m.edgeQuietP99Ms)} | ${ms(m.quietP50Ms)} | ${
          ms(m.quietP999Ms)
        } | ${m.quiet.acked} / ${m.quiet.sent} (${m.quiet.rejected}) | ${
          mode === "alone" ? "-" : `${m.otherOfferedRate} → ${m.otherAckedRate}`
        } | ${mode === "alone" ? "-" : codes || "0"} | ${m.edgeCpuS} (${m.edgeCores}) | ${ms(m.brokerCpuS)} | ${
          ms(m.quietSendLagP99Ms)
        } |`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The quiet tenant's p99 over every sample of each mode's rounds, against alone's, with the 90%
 * bootstrap interval of that ratio (rounds resampled); empty for results without histograms.
 */
export function renderPooledSamples(run: TenantRun): string[] {
  const rows = run.lanes.flatMap((l) =>
    MODES.flatMap((mode) => {
      const p = l.modes[mode].pooled;
      return p === undefined ? [] : [
        `| ${l.lanes} | ${mode} | ${p.rounds} | ${ms(p.p99Ms)} | ${p.ratio.toFixed(2)} | ${p.low.toFixed(2)}-${
          p.high.toFixed(2)
        } |`,
      ];
    })
  );
  if (rows.length === 0) return [];
  return [
    "Every sample of a mode's rounds together (0.05 ms buckets): its p99 over alone's, and the 90% interval of that " +
    "ratio when whole rounds are resampled (1,000 draws, seeded).",
    "",
    "| lanes | mode | rounds | pooled p99 ms | × alone | 90% interval |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ];
}

/** The lane modes side by side: median quiet p99 and its ratio to alone, per mode. */
function compareLanes(run: TenantRun): string[] {
  if (run.lanes.length < 2) return [];
  const head = `| mode | ${run.lanes.map((l) => `${l.lanes}: median p99 ms (× alone)`).join(" | ")} |`;
  return [
    head,
    `|---|${run.lanes.map(() => "---").join("|")}|`,
    ...MODES.map((mode) =>
      `| ${mode} | ${
        run.lanes.map((l) => `${ms(l.modes[mode].quietP99Ms.median)} (${l.modes[mode].p99OverAlone.toFixed(2)})`)
          .join(" | ")
      } |`
    ),
    "",
  ];
}

/** The Markdown of a run. */
export function renderMarkdown(run: TenantRun): string {
  const s = run.settings;
  const broker = run.placement.broker;
  return [
    `# Tenant isolation, ${run.startedAt}${run.quick ? " (quick)" : ""}`,
    "",
    `The quiet tenant sends ${s.quietRate} ev/s, one event per frame, for ${s.roundS} s a round ` +
    `(${s.quietRate * s.roundS} samples), while the other tenant (quota ${s.floodQuota} ev/s) is idle (alone), ` +
    `sends ${s.neighbourRate} ev/s in frames of ${s.neighbourFrameEvents} (neighbour), or floods at ${s.floodRate} ev/s ` +
    `in frames of ${s.floodFrameEvents}, open loop, ignoring retry hints (flooding), over ${s.generatorConnections} ` +
    `connections. ${s.rounds} round(s) of each mode, interleaved (the order rotates each repetition), ${s.gapS} s apart, ` +
    `after a ${s.warmupS} s warm-up; one edge per produce-lane mode (VELTRIX_PRODUCE_LANES). Latency: frame sent → ack, ` +
    `on the client. p99 / alone: the mode's median round p99 over alone's. The flood's bucket lets through at most ` +
    `${Math.round(s.floodQuota * (1 + 2 / s.roundS))} ev/s over a round (its quota, plus a burst of twice it). ` +
    `Kafka producers the edge reported (veltrix_kafka_producers): ${
      run.lanes.map((l) => `${l.lanes}: ${l.kafkaProducers ?? "not reported (an edge without produce lanes)"}`)
        .join("; ")
    }.`,
    "",
    `Where: ${run.placement.note}. Broker: ${
      broker === undefined
        ? "not pinned"
        : "pid" in broker
        ? `JVM pid ${broker.pid} on CPU ${broker.during} during the run (was ${broker.before}, restored after)`
        : broker.note
    }. Machine: ${run.machine.cpus} × ${run.machine.cpu}. Code: ${run.machine.commit ?? "not recorded"}. Edge ${
      edgeEnvNote(run.edgeEnv)
    }. Took ${run.durationS} s.`,
    "",
    ...compareLanes(run),
    ...renderPooledSamples(run),
    renderTable(run),
    "",
    "The quiet tenant's p99 (ms) round by round, in time order (A alone, N neighbour, F flooding):",
    "",
    ...run.lanes.map((l) =>
      `- ${l.lanes}: ${l.rounds.map((r) => `${r.mode[0]!.toUpperCase()} ${ms(r.quiet.latencyMs.p99)}`).join(", ")}`
    ),
    "",
    "Edge-side p99: the median round p99 of the quiet tenant's `veltrix_tenant_ack_seconds` on the edge (frame " +
    "arrival → ack, interpolated within its buckets: coarse, but untouched by the clients' CPU). " +
    "A large send lag means the clients' CPUs were short (the quiet client sent late); broker CPU beyond the run's " +
    "own traffic is other work writing to the same broker.",
    "",
    ...machineLoadLines(run, "tenants-latest.*"),
  ].join("\n");
}

/** How the Markdown names the edge settings a run took from its environment. */
export function edgeEnvNote(edgeEnv: Readonly<Record<string, string>> | undefined): string {
  if (edgeEnv === undefined) return "settings from the environment: not recorded";
  const set = Object.entries(edgeEnv);
  if (set.length === 0) return "settings: the defaults (no VELTRIX_* variable set)";
  return `settings from the environment: ${set.map(([name, value]) => `${name}=${value}`).join(", ")}`;
}
