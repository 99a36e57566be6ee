/**
 * `deno task bench`'s options and the settings a run records (see `bench/main.ts` for each option).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { answerHelp } from "../tools/dev/usage.ts";
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

/** The settings that make a run comparable with the committed one: a full run keeps their defaults. */
const SHAPE_KEYS = ["rates", "connections", "players", "durationS", "workers", "edges", "sources"] as const;

/**
 * True when a run is a full one: not `--quick`, no `--target`, every scenario of
 * {@link FULL_SCENARIOS}, and the default ladder, connections, players, durations and processes.
 */
export function isFullRun(quick: boolean, settings: ReturnType<typeof benchSettings>["settings"]): boolean {
  if (quick || settings.target !== undefined) return false;
  if (!FULL_SCENARIOS.every((s) => settings.scenarios.includes(s))) return false;
  const defaults = benchSettings([]).settings;
  return SHAPE_KEYS.every((key) => JSON.stringify(settings[key]) === JSON.stringify(defaults[key]));
}

/** What `deno task bench --help` prints. */
export const BENCH_USAGE = `usage: deno task bench [options]

The load benchmark against the real broker (brought up unless KAFKA_BROKERS or --brokers is set);
results go to stdout and bench/results/; only a full run on a quiet machine replaces latest.*.
See docs/benchmark.md for each scenario.

  --quick                  a short run: steady, storm, ceilings, players and batched, written to
                           .veltrix/bench-quick/ (never latest.*)
  --scenarios LIST         steady,binary,scale-out,storm,ceilings,players,batched,schemas,route-apply
  --rates LIST             the steady ladder's rates, events per second
  --connections N          connections of the steady ladder (1000)
  --players LIST           player counts of the players scenario (up to what the open-file limit fits)
  --duration-s N           seconds per step (12)
  --workers N              load generator workers (1)
  --edges N                edge processes sharing the client port (1)
  --sources N              source addresses in 127.0.0.0/8 (4)
  --out DIR                where results go (bench/results/; .veltrix/bench-quick/ with --quick)
  --brokers LIST           Kafka brokers (KAFKA_BROKERS, else the dev broker)
  --target URL             also run the steady ladder against an edge or balancer it did not start
  --target-admin LIST      the admin URLs behind --target, for their memory, CPU and in-flight events
  --target-label TEXT      the name of the --target rows (target)`;

/** Reads the options from `args`: the raw options, `--quick`, and the run's settings. */
export function benchSettings(args: string[]) {
  answerHelp(args, BENCH_USAGE);
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
    rates: list(opts.rates ?? (quick ? "1000,4000" : "2000,4000,6000,8000,10000,12000,16000,20000,24000")),
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
