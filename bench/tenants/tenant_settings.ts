/**
 * `deno task bench:tenants`'s options, and the settings a run records.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { answerHelp } from "../../tools/dev/usage.ts";
import { type PlacementName, PLACEMENTS } from "./cpu_placement.ts";

/** The three things the other tenant does while the quiet tenant is measured. */
export const MODES = ["alone", "neighbour", "flooding"] as const;
export type Mode = typeof MODES[number];

/** The edge's produce-lane settings (`VELTRIX_PRODUCE_LANES`) a run compares. */
export const LANE_MODES = ["tenant", "shared"] as const;

/** What `deno task bench:tenants --help` prints. */
export const TENANTS_USAGE = `usage: deno task bench:tenants [options]

Tenant isolation on one edge: the quiet tenant's ack latency alone, beside a neighbour within its
quota, and beside a flood (open loop, frames of 50, ignoring retry hints), in interleaved rounds,
once per produce-lane mode (VELTRIX_PRODUCE_LANES). Processes are pinned with taskset (--placement).
Reports; asserts nothing on timing.
A full run on a quiet machine writes bench/results/tenants-<time>.{json,md} and tenants-latest.*;
any other run writes to .veltrix/bench-quick/. See docs/routing.md#measuring-isolation.

  --quick               1 round of each mode, 3 s rounds (a smoke run)
  --rounds N            rounds of each mode, interleaved (7)
  --round-s S           seconds per round (10)
  --quiet-rate N        the quiet tenant's events per second, one per frame (200)
  --flood-quota N       the flooding tenant's quota, events per second (500)
  --flood-times N       the flood's offered rate as a multiple of its quota (10)
  --lanes LIST          produce-lane modes to compare, one edge each (tenant,shared)
  --placement P         apart: the other tenant's generator on a CPU of its own (the last), the
                        edge on half the others, the dev broker and the quiet client on the rest;
                        split: the edge on half the CPUs, the clients and the broker on the other
                        half; auto: apart with 3 CPUs or more, else split (auto)
  --out DIR             where results go (overrides the rule above)
  --brokers LIST        Kafka brokers (KAFKA_BROKERS, else the dev broker, brought up; pinned only then)
  --pool FILE...        run nothing: pool the rounds of these results (tenants-<time>.json) and print
                        each mode's median round p99 over all of them, against alone`;

/** Reads the options from `args`. */
export function tenantSettings(args: string[]) {
  answerHelp(args, TENANTS_USAGE);
  const { values: opts, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      pool: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      rounds: { type: "string" },
      "round-s": { type: "string" },
      "quiet-rate": { type: "string", default: "200" },
      "flood-quota": { type: "string", default: "500" },
      "flood-times": { type: "string", default: "10" },
      lanes: { type: "string", default: LANE_MODES.join(",") },
      placement: { type: "string", default: "auto" },
      out: { type: "string" },
      brokers: { type: "string" },
    },
  });
  if (positionals.length > 0 && !opts.pool) throw new Error(`unexpected arguments: ${positionals.join(" ")}`);
  const quick = opts.quick!;
  const number = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, not ${text}`);
    return n;
  };
  const floodQuota = number("flood-quota", opts["flood-quota"]!, 10);
  const lanes = opts.lanes!.split(",").map((s) => s.trim()).filter(Boolean);
  for (const lane of lanes) {
    if (!(LANE_MODES as readonly string[]).includes(lane)) throw new Error(`--lanes takes tenant,shared, not ${lane}`);
  }
  const placement = opts.placement as PlacementName;
  if (!(PLACEMENTS as readonly string[]).includes(placement)) {
    throw new Error(`--placement takes ${PLACEMENTS.join(" or ")}, not ${opts.placement}`);
  }
  const settings = {
    lanes,
    placement,
    rounds: number("rounds", opts.rounds ?? (quick ? "1" : "7"), 1),
    roundS: number("round-s", opts["round-s"] ?? (quick ? "3" : "10"), 1),
    /** Warm-up before the measured rounds of each edge (JIT, Kafka connections, both tenants' topics). */
    warmupS: quick ? 1 : 4,
    /** Pause between rounds: the flood's bucket refills (burst 2× quota) and the edge drains. */
    gapS: 2,
    quietRate: number("quiet-rate", opts["quiet-rate"]!, 1),
    quietQuota: 10_000,
    floodQuota,
    floodRate: floodQuota * number("flood-times", opts["flood-times"]!, 1),
    floodFrameEvents: 50,
    /** The neighbour: the same tenant at 80% of its quota, in frames of 5 (nothing refused). */
    neighbourRate: Math.round(floodQuota * 0.8),
    neighbourFrameEvents: 5,
  };
  // The generator keeps each of its connections (one player each) under the edge's default
  // per-connection rate (500/s) and per-player rate (1,000/s): no rate limit is lifted, so every
  // refusal the flood meets is its tenant quota.
  const generatorConnections = Math.max(2, Math.ceil(settings.floodRate / 400));
  return { opts, quick, settings: { ...settings, generatorConnections }, pool: opts.pool ? positionals : undefined };
}

/** The settings of a run. */
export type TenantSettings = ReturnType<typeof tenantSettings>["settings"];

/** True for a full run: not `--quick`, every setting at its default, both lane modes, the dev broker or the default. */
export function isFullTenantRun(quick: boolean, settings: TenantSettings): boolean {
  if (quick) return false;
  return JSON.stringify(settings) === JSON.stringify(tenantSettings([]).settings);
}

/**
 * The edge settings (`VELTRIX_*`) set in `env`: the bench's edges inherit them, so a run with any of
 * them measures something other than the defaults. Sorted by name.
 */
export function edgeOverrides(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith("VELTRIX_")).sort());
}
