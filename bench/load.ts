/**
 * `deno task load`: one open-loop load step against a running edge, with the benchmark's own
 * generator (`bench/run_load.ts` starting `bench/load_worker.ts` processes): `--connections`
 * WebSocket clients send the treasure-hunt mix at `--rate` events per second in all for
 * `--duration-s`, and each ack's latency is timed from its event's scheduled time. With
 * `--verify`, it then reads the topics back with kcat and checks that every acked id is in exactly
 * the topics the default map names, once, keyed by its player (`bench/routing_check.ts`).
 *
 * Prints one JSON summary on stdout; exits 1 if any event was not acked, a connection failed or
 * closed early, or the check found a problem.
 *
 * Options: --url ws://127.0.0.1:8787/v1/ingest --connections 20 --rate 2000 --duration-s 5
 *          --drain-s 15 (how long to wait for the last answers) --workers 1 --verify --brokers 127.0.0.1:9092
 * Needs VELTRIX_JWT_SECRET (the edge's) to mint player tokens.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runLoadStep } from "./run_load.ts";
import { checkRouting, routedExactly } from "./routing_check.ts";
import { answerHelp } from "../tools/dev/usage.ts";

answerHelp(
  Deno.args,
  `usage: deno task load [options]

Sends a steady load of treasure-hunt events to a running edge and reports rates and latencies.
VELTRIX_JWT_SECRET must be the edge's secret.

  --url URL          the edge's ingest URL (ws://127.0.0.1:8787/v1/ingest)
  --connections N    players, one connection each (20)
  --rate N           events per second in all (2000)
  --duration-s N     how long to send (5)
  --drain-s N        how long to wait for the last acks (15)
  --workers N        worker threads that send (1)
  --verify           read the topics back and check every acked event was routed exactly once
  --brokers LIST     the Kafka brokers --verify reads (KAFKA_BROKERS or 127.0.0.1:9092)`,
);

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: "ws://127.0.0.1:8787/v1/ingest" },
    connections: { type: "string", default: "20" },
    rate: { type: "string", default: "2000" },
    "duration-s": { type: "string", default: "5" },
    "drain-s": { type: "string", default: "15" },
    workers: { type: "string", default: "1" },
    verify: { type: "boolean", default: false },
    brokers: { type: "string", default: Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092" },
  },
});
const jwtSecret = Deno.env.get("VELTRIX_JWT_SECRET");
if (!jwtSecret) {
  console.error("load: VELTRIX_JWT_SECRET must be the edge's secret");
  Deno.exit(2);
}

const run = `load${crypto.randomUUID().slice(0, 8)}`;
const sinceMs = Date.now() - 1000;
const scratchDir = await Deno.makeTempDir({ prefix: "veltrix-load-" });
try {
  const step = {
    url: opts.url,
    connections: Number(opts.connections),
    rate: Number(opts.rate),
    durationS: Number(opts["duration-s"]),
    warmupS: 0,
    drainS: Number(opts["drain-s"]),
    workers: Number(opts.workers),
    sources: ["127.0.0.1"],
    jwtSecret,
    run,
    scratchDir,
  };
  const r = await runLoadStep(step);
  const verify = opts.verify ? await checkRouting(opts.brokers, sinceMs, run, r.ackedFiles) : undefined;
  const { ackedFiles: _, latencyMs, sendLagP99Ms, ...counts } = r;
  console.log(JSON.stringify({
    run,
    url: step.url,
    rate: step.rate,
    durationS: step.durationS,
    ...counts,
    ackLatencyMs: latencyMs,
    generatorLagP99Ms: sendLagP99Ms,
    ...(verify ? { verify } : {}),
  }));
  const ok = r.sent > 0 && r.acked === r.sent && r.unanswered === 0 && r.connectFailed === 0 &&
    r.closedEarly === 0 && (verify === undefined || routedExactly(verify));
  Deno.exitCode = ok ? 0 : 1;
} finally {
  await Deno.remove(scratchDir, { recursive: true });
}
