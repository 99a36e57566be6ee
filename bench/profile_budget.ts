/**
 * `deno run --allow-read bench/profile_budget.ts EDGE.cpuprofile --events N [--cpu-s S] [--traffic]`: the
 * edge's CPU budget per acked event, by stage, from a V8 CPU profile of the edge under load
 * (`VELTRIX_BENCH_CPU_PROF_DIR`). Each sample goes to the stage of the innermost frame on its
 * stack that names one (a `JSON.parse` called by the frame decoder is decode), so that library
 * and builtin time lands on the stage that asked for it. With `--cpu-s` (the process's user +
 * system CPU over the same run), the time the main thread's profile cannot see (the runtime's
 * socket and WebSocket threads) is reported as its own row.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The stages of the budget, in the order an event meets them. */
export const STAGES = [
  "WebSocket receive",
  "decode",
  "admission and dedupe",
  "route and record build",
  "Kafka encode and send",
  "ack encode and send",
  "metrics",
  "timers",
  "garbage collection",
  "other JavaScript",
] as const;

/** One of {@link STAGES}. */
export type Stage = (typeof STAGES)[number];

/** Which stage a frame names, by its script URL and function; undefined for frames that name none. */
const RULES: readonly [Stage, RegExp][] = [
  ["garbage collection", /^\(garbage collector\)$/],
  ["metrics", /prom-client|edge_metrics\.ts|dashboard_feed\.ts/],
  ["ack encode and send", /reply_channel\.ts|binary_server_frame\.ts|encodeJsonServerFrame|encodeBinaryServerFrame/],
  ["decode", /client_frame_codec\.ts|binary_client_frame\.ts|event_constraints\.ts/],
  ["admission and dedupe", /admission\.ts|token_bucket\.ts|recent_event_ids\.ts/],
  ["route and record build", /route_event\.ts|route_table\.ts|build_records\.ts|routed_event_encoding\.ts/],
  ["Kafka encode and send", /kafkajs|@platformatic|\/src\/kafka\/|produce_batcher\.ts|ext:deno_node|node:buffer/],
  [
    "WebSocket receive",
    /ext:deno_websocket|ext:deno_http|ext:deno_net|websocket_upgrade\.ts|ingest_connection\.ts|hono/,
  ],
  ["timers", /ext:deno_web\/02_timers|setTimeout|setInterval/],
];

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Main-thread time by stage, and idle time, in µs. */
export interface ProfileBudget {
  readonly byStage: Readonly<Record<Stage, number>>;
  readonly idleUs: number;
  readonly wallUs: number;
}

/** The frame that marks traffic: samples before its first and after its last appearance are start-up and shutdown. */
const TRAFFIC_FRAME = /ingest_connection\.ts$/;

/**
 * Splits a profile's samples into stages (see the module doc). With `trafficOnly`, only the
 * samples from the first to the last one inside the ingest receive loop count: start-up (module
 * loading, Kafka connection) and shutdown are left out.
 */
export function budgetOf(profile: CpuProfile, { trafficOnly = false } = {}): ProfileBudget {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stageOf = new Map<number, Stage | "idle">();
  const classify = (id: number): Stage | "idle" => {
    const known = stageOf.get(id);
    if (known !== undefined) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    let stage: Stage | "idle" | undefined = functionName === "(idle)" ? "idle" : undefined;
    for (const [name, pattern] of RULES) {
      if (stage === undefined && (pattern.test(url) || pattern.test(functionName))) stage = name;
    }
    if (stage === undefined) {
      const up = parent.get(id);
      stage = up === undefined ? "other JavaScript" : classify(up);
    }
    stageOf.set(id, stage);
    return stage;
  };
  const inTraffic = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (TRAFFIC_FRAME.test(byId.get(at)!.callFrame.url)) return true;
    }
    return false;
  };
  let first = 0;
  let last = profile.samples.length - 1;
  if (trafficOnly) {
    while (first <= last && !inTraffic(profile.samples[first]!)) first++;
    while (last >= first && !inTraffic(profile.samples[last]!)) last--;
  }
  const byStage = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let idleUs = 0;
  let wallUs = 0;
  profile.samples.forEach((id, i) => {
    if (i < first || i > last) return;
    const us = profile.timeDeltas[i] ?? 0;
    wallUs += us;
    const stage = classify(id);
    if (stage === "idle") idleUs += us;
    else byStage[stage] += us;
  });
  return { byStage, idleUs, wallUs };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { events: { type: "string" }, "cpu-s": { type: "string" }, traffic: { type: "boolean", default: false } },
  });
  const events = Number(values.events);
  if (positionals.length !== 1 || !(events > 0)) {
    console.error("usage: profile_budget.ts EDGE.cpuprofile --events N [--cpu-s S]");
    Deno.exit(2);
  }
  const budget = budgetOf(JSON.parse(await Deno.readTextFile(positionals[0]!)), { trafficOnly: values.traffic });
  const busyUs = Object.values(budget.byStage).reduce((a, b) => a + b, 0);
  const rows: [string, number][] = STAGES.map((stage) => [stage, budget.byStage[stage] / events]);
  if (values["cpu-s"] !== undefined) {
    rows.push(["outside the main thread (runtime I/O)", Math.max(0, Number(values["cpu-s"]) * 1e6 - busyUs) / events]);
  }
  const total = rows.reduce((sum, [, us]) => sum + us, 0);
  console.log("| stage | CPU µs per acked event | share |\n|---|--:|--:|");
  for (const [stage, us] of rows) console.log(`| ${stage} | ${us.toFixed(1)} | ${(100 * us / total).toFixed(1)}% |`);
  console.log(`| **total** | **${total.toFixed(1)}** | |`);
  console.log(
    `\nmain thread idle ${(100 * budget.idleUs / budget.wallUs).toFixed(1)}% of ${(budget.wallUs / 1e6).toFixed(1)} s`,
  );
}
