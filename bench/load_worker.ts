/**
 * One open-loop load generator process for `deno task bench`. It opens `--connections` real
 * WebSocket connections (npm:ws, which sets TCP_NODELAY) with real player tokens, spread over the
 * `--sources` addresses in 127.0.0.0/8, then waits for `start <epoch ms>` on stdin.
 *
 * From that moment events arrive at a fixed rate, `--rate` per second in all, whatever the edge
 * does: event `g` is due at `start + g / rate` and goes to connection `g % connections` (with
 * `--burst B`, runs of B events go to one connection: `floor(g / B) % connections`). Like the
 * client SDK, a connection sends what is due in one frame at most every `--linger-ms`, or at once
 * when `--max-frame-events` are due. With
 * `--window N`, a connection holds at most N events unanswered and due events wait for room (one
 * connection with `--window 200 --max-frame-events 200` sends in lock step). Each ack's latency is
 * measured from the event's scheduled time, not from when it was sent, so the time an event waits
 * behind a slow edge (or a full window) counts (no coordinated omission). Only events due after
 * the `--warmup-s` go into the HDR histogram.
 *
 * It prints JSON lines on stdout: `{"connected": ...}` once the connections are open, then
 * `{"result": ...}` once every event is answered or `--drain-s` has passed. Acked ids are written
 * to `--acked-file`, one per line, for the read-back; each id names its player and its number in
 * the mix (`bench/event_id.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";
import * as hdr from "hdr-histogram-js";
import WebSocket from "ws";
import { opened } from "./ws_open.ts";
import { create, fromBinary, fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema, ServerFrameSchema } from "../src/gen/veltrix/v1/event_pb.ts";
import { eventIdPrefix, playerName } from "./event_id.ts";
import { mixEntry } from "./treasure_hunt_mix.ts";

/** What one worker reports when it is done. */
export interface WorkerResult {
  readonly worker: number;
  readonly connections: number;
  readonly connectFailed: number;
  readonly closedEarly: number;
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  readonly rejectCodes: Record<string, number>;
  /** Neither acked nor rejected when the drain ended: sent, or still held back by the window. */
  readonly unanswered: number;
  /** Events due inside the measured window (after warm-up). */
  readonly scheduledInWindow: number;
  readonly ackedInWindow: number;
  /** Acks that arrived inside the measured window, whenever their events were due: the achieved rate. */
  readonly acksReceivedInWindow: number;
  /** Ack latency in µs of events due in the measured window, HDR compressed base64. */
  readonly histogram: string;
  /** How late the generator itself sent events, in µs (its own health). */
  readonly sendLagHistogram: string;
}

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    connections: { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    "duration-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "2" },
    "drain-s": { type: "string", default: "15" },
    "linger-ms": { type: "string", default: "5" },
    "max-frame-events": { type: "string", default: "100" },
    window: { type: "string" },
    /** Consecutive events of the schedule that go to the same connection (1: round robin). */
    burst: { type: "string", default: "1" },
    sources: { type: "string", default: "127.0.0.1" },
    run: { type: "string" },
    worker: { type: "string", default: "0" },
    "player-offset": { type: "string", default: "0" },
    "acked-file": { type: "string" },
    "connect-concurrency": { type: "string", default: "256" },
    /** `json` (text frames, as the SDK sends) or `binary` (protobuf `veltrix.v1.ClientFrame`). */
    encoding: { type: "string", default: "json" },
  },
});
const secret = Deno.env.get("VELTRIX_JWT_SECRET");
if (!opts.url || !opts.run || !secret) {
  console.error("load_worker: --url, --run and VELTRIX_JWT_SECRET are required");
  Deno.exit(2);
}
const worker = Number(opts.worker);
const connectionCount = Number(opts.connections);
const rate = Number(opts.rate);
const durationMs = Number(opts["duration-s"]) * 1000;
const warmupMs = Number(opts["warmup-s"]) * 1000;
const drainMs = Number(opts["drain-s"]) * 1000;
const lingerMs = Number(opts["linger-ms"]);
const maxFrameEvents = Number(opts["max-frame-events"]);
const windowSize = opts.window === undefined ? Infinity : Number(opts.window);
const burst = Math.max(1, Number(opts.burst));
const sources = opts.sources!.split(",");
const playerOffset = Number(opts["player-offset"]);
const binary = opts.encoding === "binary";

const latency = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 600_000_000,
  numberOfSignificantValueDigits: 3,
});
const sendLag = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 600_000_000,
  numberOfSignificantValueDigits: 3,
});
const decoder = new TextDecoder();

/** `events` as a protobuf `veltrix.v1.ClientFrame`. */
function binaryFrame(events: readonly { id: string; type: string; data: JsonValue }[]): Uint8Array {
  return toBinary(
    ClientFrameSchema,
    create(ClientFrameSchema, {
      events: events.map((e) => ({ id: e.id, type: e.type, data: fromJson(ValueSchema, e.data) })),
    }),
  );
}
const acked: string[] = [];
const rejectCodes: Record<string, number> = {};
let sent = 0, ackCount = 0, rejected = 0, closedEarly = 0, ackedInWindow = 0, acksReceivedInWindow = 0;
/** Epoch-free time origin of the schedule (performance.now() at `start`). */
let t0 = 0;

/** Scheduled time (performance.now() ms) of event number `g` of the schedule. */
const dueAt = (g: number) => t0 + g * 1000 / rate;

/** One open connection and the events it has been given but not yet sent. */
class Connection {
  /** Every id this connection sends is the prefix and the event's number in the schedule. */
  readonly prefix: string;
  /** Event numbers waiting for the next frame. */
  readonly pending: number[] = [];
  lastFlushAt = -Infinity;
  open = true;
  sent = 0;
  answered = 0;

  constructor(readonly player: number, readonly socket: WebSocket) {
    this.prefix = eventIdPrefix(opts.run!, player);
  }

  /** Sends the pending events as one frame, as many as the window has room for. */
  flush(now: number): void {
    const count = Math.min(this.pending.length, windowSize - (this.sent - this.answered));
    if (count <= 0) return;
    const events: { id: string; type: string; data: JsonValue }[] = [];
    for (const g of this.pending.splice(0, count)) {
      sendLag.recordValue(Math.max(1, Math.round((now - dueAt(g)) * 1000)));
      const entry = mixEntry(g);
      events.push({ id: this.prefix + g, type: entry.type, data: entry.data(g) as JsonValue });
    }
    this.lastFlushAt = now;
    this.sent += count;
    sent += count;
    this.socket.send(
      binary ? binaryFrame(events) : JSON.stringify({ events }),
    );
  }

  onMessage(raw: Uint8Array): void {
    const now = performance.now();
    const reply: { acks?: string[]; rejects?: { id: string; code: string }[]; error?: { code: string } } = binary
      ? fromBinary(ServerFrameSchema, raw)
      : JSON.parse(decoder.decode(raw));
    const windowStart = t0 + warmupMs;
    const arrivedInWindow = now >= windowStart && now < t0 + durationMs;
    for (const id of reply.acks ?? []) {
      const due = dueAt(Number(id.slice(this.prefix.length)));
      ackCount++;
      acked.push(id);
      if (arrivedInWindow) acksReceivedInWindow++;
      if (due >= windowStart) {
        ackedInWindow++;
        latency.recordValue(Math.max(1, Math.round((now - due) * 1000)));
      }
    }
    for (const r of reply.rejects ?? []) {
      rejected++;
      rejectCodes[r.code] = (rejectCodes[r.code] ?? 0) + 1;
    }
    if (reply.error) rejectCodes[`frame:${reply.error.code}`] = (rejectCodes[`frame:${reply.error.code}`] ?? 0) + 1;
    this.answered += (reply.acks?.length ?? 0) + (reply.rejects?.length ?? 0);
  }
}

async function connect(index: number): Promise<Connection | undefined> {
  const player = playerOffset + index;
  const token = await sign(
    { sub: playerName(opts.run!, player), exp: Math.floor(Date.now() / 1000) + 3600 },
    secret!,
    "HS256",
  );
  const socket = new WebSocket(`${opts.url}?token=${token}`, {
    localAddress: sources[index % sources.length],
    perMessageDeflate: false,
  });
  try {
    await opened(socket);
  } catch (error) {
    console.error(`load_worker ${worker}: connection ${index}: ${(error as Error).message}`);
    return undefined;
  }
  const connection = new Connection(player, socket);
  socket.on("message", (raw: Uint8Array) => connection.onMessage(raw));
  socket.on("close", () => {
    if (connection.open && !stopping) closedEarly++;
    connection.open = false;
  });
  socket.on("error", () => {});
  return connection;
}

let stopping = false;
const connected: Connection[] = [];
let connectFailed = 0;
const concurrency = Number(opts["connect-concurrency"]);
for (let first = 0; first < connectionCount; first += concurrency) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(concurrency, connectionCount - first) }, (_, k) => connect(first + k)),
  );
  for (const c of batch) c === undefined ? connectFailed++ : connected.push(c);
}
console.log(JSON.stringify({ connected: connected.length, failed: connectFailed }));

const startEpochMs = await readStart();
t0 = performance.now() + (startEpochMs - Date.now());
const total = Math.floor(rate * durationMs / 1000);
let next = 0;
/** Connections holding events for their next frame. */
const waiting = new Set<Connection>();

/** Hands every event that is due to its connection, and sends frames whose linger has passed. */
function tick(): void {
  const now = performance.now();
  while (next < total && dueAt(next) <= now) {
    const c = connected[Math.floor(next / burst) % connected.length]!;
    if (c.open) {
      c.pending.push(next);
      waiting.add(c);
    }
    next++;
  }
  for (const c of waiting) {
    if (!c.open) {
      c.pending.length = 0;
      waiting.delete(c);
    } else if (c.pending.length >= maxFrameEvents || now - c.lastFlushAt >= lingerMs || next >= total) {
      c.flush(now);
      if (c.pending.length === 0) waiting.delete(c);
    }
  }
}

// Sends on schedule; once every event is due, waits up to --drain-s for the answers (and for what a
// full window still holds).
await new Promise<void>((resolve) => {
  let drainDeadline = Infinity;
  const loop = () => {
    tick();
    const now = performance.now();
    if (next >= total && drainDeadline === Infinity) drainDeadline = now + drainMs;
    const settled = next >= total && waiting.size === 0 && ackCount + rejected >= sent;
    if (settled || now >= drainDeadline) resolve();
    else setTimeout(loop, next >= total && waiting.size === 0 ? 20 : 1);
  };
  const delay = t0 - performance.now();
  setTimeout(loop, Math.max(0, delay));
});
stopping = true;
let heldBack = 0;
for (const c of waiting) heldBack += c.open ? c.pending.length : 0;
if (opts["acked-file"]) await Deno.writeTextFile(opts["acked-file"], acked.join("\n") + (acked.length ? "\n" : ""));
const windowFirst = Math.ceil(warmupMs * rate / 1000);
const result: WorkerResult = {
  worker,
  connections: connected.length,
  connectFailed,
  closedEarly,
  sent,
  acked: ackCount,
  rejected,
  rejectCodes,
  unanswered: sent - ackCount - rejected + heldBack,
  scheduledInWindow: Math.max(0, total - windowFirst),
  ackedInWindow,
  acksReceivedInWindow,
  histogram: hdr.encodeIntoCompressedBase64(latency),
  sendLagHistogram: hdr.encodeIntoCompressedBase64(sendLag),
};
console.log(JSON.stringify({ result }));
for (const c of connected) c.socket.close(1000, "bench done");
Deno.exit(0);

async function readStart(): Promise<number> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stdin closed before start");
    buffered += value;
    const match = /start (\d+)\n/.exec(buffered);
    if (match) {
      reader.releaseLock();
      return Number(match[1]);
    }
  }
}
