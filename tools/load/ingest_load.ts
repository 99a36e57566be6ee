/**
 * `deno task load`: drives a running edge from a separate process. N WebSocket connections (npm:ws,
 * which sets TCP_NODELAY) send the treasure-hunt mix, each keeping a bounded window of unacked
 * events; every ack's latency is timed from the moment its frame was sent. With `--verify`, it then
 * reads the topics back with kcat and checks that every id is in exactly the topics the default
 * map names, once. Prints one JSON summary on stdout; exits 1 if any event was not acked or verify
 * found a problem.
 *
 * Options: --url ws://127.0.0.1:8787/v1/ingest --connections 20 --events 10000 --frame 20
 *          --window 40 --timeout-ms 120000 --verify --brokers 127.0.0.1:9092
 * Needs VELTRIX_JWT_SECRET (the edge's) to mint player tokens.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";
import WebSocket from "ws";
import { readTopic } from "../kafka/kcat_reader.ts";
import { MIX_TOPICS, mixEntry } from "./treasure_hunt_mix.ts";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: "ws://127.0.0.1:8787/v1/ingest" },
    connections: { type: "string", default: "20" },
    events: { type: "string", default: "10000" },
    frame: { type: "string", default: "20" },
    window: { type: "string", default: "40" },
    "timeout-ms": { type: "string", default: "120000" },
    verify: { type: "boolean", default: false },
    brokers: { type: "string", default: Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092" },
  },
});
const secret = Deno.env.get("VELTRIX_JWT_SECRET");
if (!secret) {
  console.error("load: VELTRIX_JWT_SECRET must be the edge's secret");
  Deno.exit(2);
}
const connections = Number(opts.connections);
const totalEvents = Number(opts.events);
const frameSize = Number(opts.frame);
const windowSize = Number(opts.window);
const timeoutMs = Number(opts["timeout-ms"]);
const run = crypto.randomUUID().slice(0, 8);
const startedAtMs = Date.now();

interface Sent {
  player: string;
  type: string;
  topics: readonly string[];
  sentAt: number;
}
const sent = new Map<string, Sent>();
const latencies: number[] = [];
const rejects = new Map<string, string>();
let acked = 0;

async function drive(c: number, share: number, firstN: number): Promise<void> {
  const player = `load-${run}-p${c}`;
  const token = await sign({ sub: player, exp: Math.floor(Date.now() / 1000) + 3600 }, secret!, "HS256");
  const socket = new WebSocket(`${opts.url}?token=${token}`);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once(
      "unexpected-response",
      (_req: unknown, res: { statusCode?: number }) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
    );
  });
  let next = 0;
  let unacked = 0;
  const done = Promise.withResolvers<void>();
  const pump = () => {
    while (next < share && unacked + frameSize <= windowSize) {
      const events = [];
      const now = performance.now();
      for (let k = 0; k < frameSize && next < share; k++, next++) {
        const n = firstN + next;
        const entry = mixEntry(n);
        const id = `${run}-${c}-${next}`;
        events.push({ id, type: entry.type, data: entry.data(n) });
        sent.set(id, { player, type: entry.type, topics: entry.topics, sentAt: now });
        unacked++;
      }
      socket.send(JSON.stringify({ events }));
    }
  };
  let settled = 0;
  socket.on("message", (raw: Uint8Array) => {
    const reply = JSON.parse(new TextDecoder().decode(raw)) as {
      acks?: string[];
      rejects?: { id: string; code: string }[];
      error?: { code: string; message: string };
    };
    const now = performance.now();
    for (const id of reply.acks ?? []) {
      latencies.push(now - sent.get(id)!.sentAt);
      acked++;
    }
    for (const r of reply.rejects ?? []) rejects.set(r.id, r.code);
    if (reply.error) console.error(`load: frame error ${reply.error.code}: ${reply.error.message}`);
    const count = (reply.acks?.length ?? 0) + (reply.rejects?.length ?? 0);
    unacked -= count;
    settled += count;
    if (settled >= share) done.resolve();
    else pump();
  });
  socket.on("close", (code: number, reason: Uint8Array) => {
    if (settled < share) {
      console.error(
        `load: connection ${c} closed (${code} ${new TextDecoder().decode(reason)}) with ${
          share - settled
        } events unsettled`,
      );
    }
    done.resolve();
  });
  pump();
  await done.promise;
  socket.close();
}

const t0 = performance.now();
const perConnection = Math.floor(totalEvents / connections);
const timer = setTimeout(() => {
  console.error(`load: timed out after ${timeoutMs} ms with ${acked}/${totalEvents} acked`);
  report(performance.now() - t0, undefined);
  Deno.exit(1);
}, timeoutMs);
await Promise.all(
  Array.from({ length: connections }, (_, c) => {
    const share = perConnection + (c < totalEvents % connections ? 1 : 0);
    const firstN = c * perConnection + Math.min(c, totalEvents % connections);
    return drive(c, share, firstN);
  }),
);
const elapsedMs = performance.now() - t0;
clearTimeout(timer);

let verification: Record<string, number> | undefined;
if (opts.verify) verification = await verify();
const ok = report(elapsedMs, verification);
Deno.exit(ok ? 0 : 1);

async function verify(): Promise<Record<string, number>> {
  const records = (await Promise.all(MIX_TOPICS.map((t) => readTopic(opts.brokers!, t, startedAtMs - 1000)))).flat()
    .filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${run}-`));
  const topicsById = new Map<string, string[]>();
  for (const r of records) {
    const id = r.headers["veltrix-event-id"]!;
    const list = topicsById.get(id) ?? [];
    list.push(r.topic);
    topicsById.set(id, list);
  }
  let found = 0, missing = 0, misrouted = 0, duplicates = 0, wrongKey = 0;
  const keyById = new Map(records.map((r) => [r.headers["veltrix-event-id"]!, r.key]));
  for (const [id, s] of sent) {
    const topics = topicsById.get(id);
    if (topics === undefined) {
      missing++;
      continue;
    }
    found++;
    const unique = [...new Set(topics)].sort();
    if (unique.join() !== [...s.topics].sort().join()) misrouted++;
    duplicates += topics.length - unique.length;
    if (keyById.get(id) !== s.player) wrongKey++;
  }
  return { records: records.length, found, missing, misrouted, duplicates, wrongKey };
}

function report(elapsed: number, verification: Record<string, number> | undefined): boolean {
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies.length === 0 ? NaN : round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
  const summary = {
    run,
    url: opts.url,
    connections,
    events: totalEvents,
    frameSize,
    window: windowSize,
    acked,
    rejected: rejects.size,
    rejectCodes: [...new Set(rejects.values())],
    durationMs: round(elapsed),
    eventsPerSec: Math.round(acked / (elapsed / 1000)),
    ackLatencyMs: {
      min: round(latencies[0] ?? NaN),
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      max: round(latencies.at(-1) ?? NaN),
    },
    ...(verification ? { verify: verification } : {}),
  };
  console.log(JSON.stringify(summary));
  const verified = verification === undefined ||
    (verification.missing === 0 && verification.misrouted === 0 && verification.duplicates === 0 &&
      verification.wrongKey === 0);
  return acked === totalEvents && verified;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
