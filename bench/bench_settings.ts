/**
 * `deno task bench`'s options and the settings a run records (see `bench/main.ts` for each option).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fitConnectionsToFileLimit, readOpenFileLimit } from "../src/main/open_file_limit.ts";

/** Every scenario of a full run, in the order they run. */
export const FULL_SCENARIOS = [
  "steady",
  "binary",
  "scale-out",
  "storm",
  "ceilings",
  "players",
  "batched",
  "schemas",
  "route-apply",
] as const;

/** Where results go: `bench/results/` (tracked), but a `--quick` run's go to the git-ignored `.veltrix/`. */
export function defaultOut(quick: boolean): string {
  return new URL(quick ? "../.veltrix/bench-quick" : "./results", import.meta.url).pathname;
}

/** True when a run is a full one: not `--quick`, no `--target`, and every scenario of {@link FULL_SCENARIOS}. */
export function isFullRun(
  quick: boolean,
  settings: { readonly scenarios: readonly string[]; readonly target?: unknown },
): boolean {
  return !quick && settings.target === undefined && FULL_SCENARIOS.every((s) => settings.scenarios.includes(s));
}

/** Reads the options from `args`: the raw options, `--quick`, and the run's settings. */
export function benchSettings(args: string[]) {
  const { values: opts } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      scenarios: { type: "string" },
      rates: { type: "string" },
      connections: { type: "string" },
      players: { type: "string" },
      "duration-s": { type: "string" },
      workers: { type: "string", default: "1" },
      edges: { type: "string", default: "1" },
      sources: { type: "string", default: "4" },
      out: { type: "string" },
      brokers: { type: "string" },
      target: { type: "string" },
      "target-admin": { type: "string" },
      "target-label": { type: "string", default: "target" },
    },
  });
  const quick = opts.quick!;
  opts.out ??= defaultOut(quick);
  // Every connection holds a descriptor in the edge and in its generator, and this container cannot
  // raise its limit: the largest player count tried is what fits under it, with the edge's reserve.
  const openFileLimit = readOpenFileLimit();
  const playersThatFit = fitConnectionsToFileLimit(40_000, openFileLimit).maxConnections;
  const defaultPlayers = [5000, 10_000, 20_000, 40_000].filter((n) => n < playersThatFit);
  if (!defaultPlayers.includes(playersThatFit)) defaultPlayers.push(Math.floor(playersThatFit / 1000) * 1000);
  const list = (text: string) => text.split(",").map((s) => Number(s.trim()));
  const settings = {
    scenarios: (opts.scenarios ??
      (opts.target ? "steady,target" : quick ? "steady,storm,ceilings,players,batched" : FULL_SCENARIOS.join(",")))
      .split(","),
    target: opts.target
      ? { url: opts.target, label: opts["target-label"]!, admin: opts["target-admin"] ?? "" }
      : undefined,
    rates: list(opts.rates ?? (quick ? "1000,4000" : "2000,4000,6000,8000,10000,12000,15000,20000")),
    connections: Number(opts.connections ?? (quick ? 200 : 1000)),
    players: opts.players ? list(opts.players) : quick ? [1000] : defaultPlayers,
    openFileLimit: openFileLimit ?? "unknown",
    durationS: Number(opts["duration-s"] ?? (quick ? 4 : 12)),
    warmupS: quick ? 1 : 2,
    workers: Number(opts.workers),
    /** Edge processes sharing the client port (VELTRIX_REUSE_PORT); their RSS and CPU are summed. */
    edges: Number(opts.edges),
    sources: Array.from({ length: Number(opts.sources) }, (_, i) => `127.0.0.${i + 1}`),
    stormPerSecond: 10,
    lingerMs: 5,
    framing: "JSON frames; like the SDK, a connection sends what is due at most every 5 ms, up to 100 events a frame",
  };
  return { opts, quick, settings };
}
