/**
 * The `route-apply` scenario of `deno task bench`: route-update apply time at 10, 100, 1,000 and
 * 10,000 routes, in a process of its own (a fresh heap, as an edge has, not the benchmark's after
 * ten minutes of load steps: `routeApplyInOwnProcess`) and with no load, by RouteControl's own clock
 * (`applied.applyMs`: size cap, Ed25519 verification, decode, version check, compile and swap; no
 * disk and no Kafka, which come after the swap and are not part of apply time). Each update is the
 * same routes under a new version (as a rollout of a few changed routes mostly is: routes the map
 * in force has byte for byte are neither decoded nor compiled again), and at 1,000 and 10,000
 * routes also updates in which every route is new (every route decoded and compiled). The micro bench
 * `src/control/route_apply_bench.ts` times the same pipeline, and each stage, with Deno.bench; this
 * adds what Deno.bench does not report: the median, and the size of each update.
 *
 * @module
 */
import {
  compileRouteMapOrThrow,
  defaultRouteMap,
  embeddedSnapshot,
  LiveRouteTable,
  TrustedKeys,
} from "../src/core/mod.ts";
import { RouteControl, signRouteMapBytes, syntheticRouteMapBytes } from "../src/control/mod.ts";
import type { BenchRow } from "./bench_result.ts";

/** Apply times of updates of one size. */
export interface RouteApplyTimes {
  readonly routes: number;
  /** Payload schemas each update carries, and whether their texts are new in every update. */
  readonly schemas?: { readonly count: number; readonly cold: boolean };
  /** Every route of every update is new (renamed), so nothing of the map in force is reused. */
  readonly allRoutesNew?: boolean;
  /** Size of one signed update, in bytes. */
  readonly updateBytes: number;
  /** Updates timed (after five that warm the JIT up). */
  readonly runs: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Updates applied per second, one after the other. */
  readonly perSecond: number;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Applies `runs` updates of each size in `sizes` (a tenth as many, at least 20, from 10,000 routes
 * up), each a version above the last, and returns their apply times.
 */
export async function measureRouteApply(
  { sizes = [10, 100, 1_000, 10_000], runs = 200, schemas, allRoutesNew = false }: {
    sizes?: readonly number[];
    runs?: number;
    /** Rename every route in every update, so that no route of the map in force is reused. */
    allRoutesNew?: boolean;
    /**
     * Payload schemas in every update: `cold` gives each update new schema texts (every schema
     * compiled), otherwise every update carries the same texts (compiled once, then reused).
     */
    schemas?: { readonly count: number; readonly cold: boolean };
  } = {},
): Promise<RouteApplyTimes[]> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const keys = await TrustedKeys.import([{ id: "bench", publicKey: raw }]);
  const results: RouteApplyTimes[] = [];
  for (const routes of sizes) {
    const count = routes >= 10_000 ? Math.max(20, Math.floor(runs / 10)) : runs;
    const control = new RouteControl({
      routes: new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap()))),
      keys,
      maxBytes: 64 * 1024 * 1024,
      logger: quiet,
    });
    const updates = await Promise.all(
      Array.from(
        { length: count + 5 },
        (_, i) =>
          signRouteMapBytes(
            syntheticRouteMapBytes(
              routes,
              BigInt(i + 2),
              schemas && { count: schemas.count, tag: schemas.cold ? `v${i}` : "same" },
              allRoutesNew ? `-v${i}` : "",
            ),
            pair.privateKey,
            "bench",
          ),
      ),
    );
    // The garbage of making the updates is the harness's, not the apply's: collect it before timing
    // (with --expose-gc, as `routeApplyInOwnProcess` runs this; elsewhere nothing happens).
    (globalThis as { gc?: () => void }).gc?.();
    const times: number[] = [];
    const started = performance.now();
    for (const [i, update] of updates.entries()) {
      const outcome = await control.update(update);
      if (!outcome.ok) throw outcome.error;
      if (i >= 5) times.push(outcome.applied.applyMs); // the first five warm the JIT up
    }
    const elapsedS = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
    results.push({
      routes,
      ...(schemas ? { schemas } : {}),
      ...(allRoutesNew ? { allRoutesNew } : {}),
      updateBytes: updates[0]!.length,
      runs: times.length,
      minMs: round(times[0]!),
      medianMs: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: round(times.at(-1)!),
      perSecond: Math.round(updates.length / elapsedS),
    });
  }
  return results;
}

/** Table rows and headline figures of the scenario: apply time in the latency columns. */
export function routeApplyRows(times: readonly RouteApplyTimes[]): {
  rows: BenchRow[];
  summary: Record<string, number>;
} {
  const rows = times.map((t): BenchRow => ({
    scenario: "route-apply",
    label: `${t.routes.toLocaleString("en-US")} routes${
      t.schemas ? ` + ${t.schemas.count} schemas (${t.schemas.cold ? "all new" : "reused"})` : ""
    }${t.allRoutesNew ? ", every route new" : ""}, ${Math.round(t.updateBytes / 1024)} KB update`,
    achievedRate: t.perSecond,
    sent: t.runs,
    acked: t.runs,
    latencyMs: { count: t.runs, p50: t.medianMs, p90: t.p90Ms, p99: t.p99Ms, p999: NaN, max: t.maxMs },
    notes:
      `apply time by RouteControl's clock, no load: min ${t.minMs} ms, median ${t.medianMs} ms, p99 ${t.p99Ms} ms, ` +
      `max ${t.maxMs} ms over ${t.runs} updates of ${t.updateBytes} bytes; achieved/s is updates per second`,
  }));
  const summary: Record<string, number> = {};
  for (const t of times) {
    const at = t.schemas
      ? `${t.routes}+${t.schemas.count}schemas${t.schemas.cold ? "Cold" : "Reused"}`
      : `${t.routes}${t.allRoutesNew ? "AllNew" : ""}`;
    summary[`routeApplyMedianMs@${at}`] = t.medianMs;
    summary[`routeApplyP99Ms@${at}`] = t.p99Ms;
  }
  return { rows, summary };
}

/**
 * The scenario: 10 to 10,000 routes; 1,000 and 10,000 routes with every route new in each update;
 * then 1,000 routes with 100 payload schemas, all new in each update (every schema compiled) and
 * the same in each (compiled once, then reused).
 */
export async function routeApplyScenario(quick: boolean): Promise<ReturnType<typeof routeApplyRows>> {
  const runs = quick ? 20 : 200;
  return routeApplyRows([
    ...await measureRouteApply({ runs }),
    ...await measureRouteApply({ runs, sizes: [1_000, 10_000], allRoutesNew: true }),
    ...await measureRouteApply({ runs: runs / 4, sizes: [1_000], schemas: { count: 100, cold: true } }),
    ...await measureRouteApply({ runs: runs / 4, sizes: [1_000], schemas: { count: 100, cold: false } }),
  ]);
}

/** Runs {@link routeApplyScenario} in a new process (this module as a script) and returns what it found. */
export async function routeApplyInOwnProcess(quick: boolean): Promise<ReturnType<typeof routeApplyRows>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      ...(quick ? ["--quick"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const line = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  if (!output.success || !line.startsWith("{")) throw new Error(`route-apply scenario failed (exit ${output.code})`);
  return JSON.parse(line, (_k, v) => v === null ? NaN : v);
}

if (import.meta.main) {
  const result = await routeApplyScenario(Deno.args.includes("--quick"));
  console.log(JSON.stringify(result, (_k, v) => typeof v === "number" && !Number.isFinite(v) ? null : v));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
