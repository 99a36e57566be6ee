/**
 * One client process of `deno task bench:tenants`: the quiet tenant's client, or the other tenant's
 * generator (its neighbour within quota, or its flood). It opens `--connections` WebSocket
 * connections (npm:ws, TCP_NODELAY, no compression), each a player of its own whose token carries
 * `game: --tenant`, prints `{"connected": N}`, then runs rounds that the benchmark sends as JSON
 * lines on stdin: `{"round": NAME, "startAt": EPOCH_MS, "durationS": S, "rate": R, "frameEvents": F}`.
 *
 * A round is open loop: frame k (events k·F … k·F+F−1) is due at `startAt + k·F/R` s and goes to
 * connection `k % connections`, whatever the edge answers (a reject's `retryAfterMs` is ignored:
 * a flood does not back off). Once every frame is sent it waits up to `--drain-s` for the answers
 * and prints `{"result": ...}`: counts, reject codes, and the ack latency of each acked event,
 * measured from the moment its frame was sent (`sendLagP99Ms` says how late sends were against the
 * schedule: the client's own health). `{"quit": true}` or the end of stdin closes it.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";
import WebSocket from "ws";
import { opened } from "../ws_open.ts";
import { quantile, round } from "../quantile.ts";
import { textLines } from "../text_lines.ts";
import { histogramOf, type LatencyHistogram } from "./latency_histogram.ts";

/** One round's order from the benchmark. */
export interface RoundOrder {
  readonly round: string;
  readonly startAt: number;
  readonly durationS: number;
  readonly rate: number;
  readonly frameEvents: number;
}

/** What a client measured in one round. */
export interface RoundResult {
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  readonly rejectCodes: Record<string, number>;
  readonly unanswered: number;
  /** Ack latency of acked events, from their frame's send, in ms. */
  readonly latencyMs: { count: number; p50: number; p99: number; p999: number; max: number };
  readonly sendLagP99Ms: number;
  /** Every acked event's latency, in 0.05 ms buckets, so rounds can be pooled (absent from older results). */
  readonly histogram?: LatencyHistogram;
}

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    tenant: { type: "string" },
    connections: { type: "string", default: "1" },
    run: { type: "string" },
    "drain-s": { type: "string", default: "30" },
  },
});
const secret = Deno.env.get("VELTRIX_JWT_SECRET");
if (!opts.url || !opts.tenant || !opts.run || !secret) {
  console.error("tenant_client: --url, --tenant, --run and VELTRIX_JWT_SECRET are required");
  Deno.exit(2);
}

/** The round being run: events by number, when each was sent and answered. */
let current:
  | { prefix: string; sentAt: Float64Array; latencies: number[]; rejectCodes: Record<string, number> } & {
    acked: number;
    rejected: number;
    wake?: () => void;
  }
  | undefined;

const decoder = new TextDecoder();

function onMessage(raw: Uint8Array): void {
  const now = performance.now();
  const r = current;
  if (r === undefined) return;
  const reply: { acks?: string[]; rejects?: { id: string; code: string }[]; error?: { code: string } } = JSON.parse(
    decoder.decode(raw),
  );
  for (const id of reply.acks ?? []) {
    if (!id.startsWith(r.prefix)) continue;
    r.acked++;
    r.latencies.push(now - r.sentAt[Number(id.slice(r.prefix.length))]!);
  }
  for (const reject of reply.rejects ?? []) {
    if (!reject.id.startsWith(r.prefix)) continue;
    r.rejected++;
    r.rejectCodes[reject.code] = (r.rejectCodes[reject.code] ?? 0) + 1;
  }
  if (reply.error) r.rejectCodes[`frame:${reply.error.code}`] = (r.rejectCodes[`frame:${reply.error.code}`] ?? 0) + 1;
  r.wake?.();
}

async function connect(index: number): Promise<WebSocket> {
  const token = await sign(
    { sub: `${opts.run}-${opts.tenant}-${index}`, game: opts.tenant, exp: Math.floor(Date.now() / 1000) + 86_400 },
    secret!,
    "HS256",
  );
  const socket = new WebSocket(`${opts.url}?token=${token}`, { perMessageDeflate: false });
  await opened(socket);
  socket.on("message", (raw: Uint8Array) => onMessage(raw));
  socket.on("close", () => {
    if (!quitting) console.error(`tenant_client ${opts.tenant}: connection ${index} closed by the edge`);
  });
  return socket;
}

/** Runs one round open loop and measures it. */
async function runRound(order: RoundOrder): Promise<RoundResult> {
  const total = Math.floor(order.rate * order.durationS);
  const frames = Math.ceil(total / order.frameEvents);
  const r: NonNullable<typeof current> = {
    prefix: `${opts.run}-${order.round}-`,
    sentAt: new Float64Array(total),
    latencies: [],
    rejectCodes: {},
    acked: 0,
    rejected: 0,
  };
  current = r;
  const t0 = performance.now() + (order.startAt - Date.now());
  const dueAt = (frame: number) => t0 + frame * order.frameEvents * 1000 / order.rate;
  const lags: number[] = [];
  let next = 0, sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < frames && dueAt(next) <= now) {
        const events = [];
        for (let i = next * order.frameEvents; i < Math.min(total, (next + 1) * order.frameEvents); i++) {
          events.push({ id: r.prefix + i, type: "match.tick", data: { i } });
          r.sentAt[i] = now;
        }
        lags.push(now - dueAt(next));
        sockets[next % sockets.length]!.send(JSON.stringify({ events }));
        sent += events.length;
        next++;
      }
      if (next >= frames) resolve();
      else setTimeout(tick, Math.max(0, Math.min(dueAt(next) - performance.now(), 50)));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  const drainDeadline = performance.now() + Number(opts["drain-s"]) * 1000;
  while (r.acked + r.rejected < sent && performance.now() < drainDeadline) {
    await new Promise<void>((resolve) => {
      r.wake = resolve;
      setTimeout(resolve, 100);
    });
  }
  current = undefined;
  return {
    sent,
    acked: r.acked,
    rejected: r.rejected,
    rejectCodes: r.rejectCodes,
    unanswered: sent - r.acked - r.rejected,
    latencyMs: {
      count: r.latencies.length,
      p50: quantile(r.latencies, 0.5),
      p99: quantile(r.latencies, 0.99),
      p999: quantile(r.latencies, 0.999),
      max: round(r.latencies.reduce((m, x) => Math.max(m, x), 0)),
    },
    sendLagP99Ms: quantile(lags, 0.99),
    histogram: histogramOf(r.latencies),
  };
}

let quitting = false;
const sockets: WebSocket[] = [];
for (let i = 0; i < Number(opts.connections); i++) sockets.push(await connect(i));
console.log(JSON.stringify({ connected: sockets.length }));
for await (const line of textLines(Deno.stdin.readable)) {
  if (line.trim() === "") continue;
  const order = JSON.parse(line) as RoundOrder | { quit: true };
  if ("quit" in order) break;
  console.log(JSON.stringify({ result: await runRound(order) }));
}
quitting = true;
for (const socket of sockets) socket.close(1000, "bench done");
Deno.exit(0);
