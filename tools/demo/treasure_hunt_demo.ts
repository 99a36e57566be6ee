/**
 * `deno task demo`: simulated treasure-hunt players against an edge, through the client SDK. Each
 * player is a {@link TreasureHunter} (it walks to chests, opens them, collects gold or skips) with
 * its own {@link VeltrixClient}, sending `--rate` events per second. A progress line shows players
 * connected, events sent, acked and rejected, acks per second, outbox depth and ack p99.
 *
 * Without `--url` it runs its own edge the way `deno task start` does (dev broker, random JWT
 * secret) and prints the edge's dashboard URL. With `--url` it needs the edge's
 * `VELTRIX_JWT_SECRET` to mint player tokens.
 *
 * Ctrl-C (or the end of `--duration`) closes every client, waiting for its outbox to drain, prints
 * a summary (a few lines, then one JSON line), and stops the edge it started. The exit code is 1
 * when events were lost: sent, but neither acked nor rejected when the clients closed.
 *
 * Options: --players 200 --rate 2 --duration 0 (seconds; 0 runs until Ctrl-C)
 *          --url ws://127.0.0.1:8787/v1/ingest --flush-timeout-ms 10000
 *
 * @module
 */
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";
import WebSocket from "ws";
import { VeltrixClient, VeltrixClientError, type WebSocketConstructor } from "../../src/client/mod.ts";
import { DemoTally, describeSummary } from "./demo_tally.ts";
import type { LocalEdge } from "./local_edge.ts";
import { TreasureHunter } from "./treasure_hunter.ts";

const USAGE = `usage: deno task demo [--players 200] [--rate 2] [--duration 0] [--url ws://HOST:PORT/v1/ingest]
                      [--flush-timeout-ms 10000]
  --players           simulated players, each on its own connection
  --rate              events per second per player
  --duration          seconds to run; 0 runs until Ctrl-C
  --url               an edge to use (needs its VELTRIX_JWT_SECRET); without it the demo runs its own
  --flush-timeout-ms  how long the players wait for their last acks when stopping`;

/** How often the players' schedule is advanced. */
const TICK_MS = 20;

interface Player {
  readonly hunter: TreasureHunter;
  readonly client: VeltrixClient;
  /** Events owed: grows by `rate` per second, one is sent per whole unit. */
  due: number;
}

const options = readOptions();
let edge: LocalEdge | undefined;
let url = options.url;
let secret = Deno.env.get("VELTRIX_JWT_SECRET");
if (url === undefined) {
  const { startLocalEdge } = await import("./local_edge.ts");
  try {
    edge = await startLocalEdge();
  } catch (error) {
    console.error(`demo: could not start an edge: ${(error as Error).message}`);
    if (/AddrInUse|address already in use/i.test(String(error))) {
      console.error(
        "demo: is `deno task start` running? Use --url with its VELTRIX_JWT_SECRET, or set VELTRIX_PORT=0 " +
          "VELTRIX_ADMIN_PORT=0 VELTRIX_GRPC_PORT=0",
      );
    }
    Deno.exit(2);
  }
  url = edge.ingestUrl;
  secret = edge.jwtSecret;
  console.log(`Edge ready: ${edge.ingestUrl} (log: ${edge.logPath})`);
  console.log(`Dashboard: ${edge.dashboardUrl}`);
} else if (!secret) {
  console.error("demo: with --url, VELTRIX_JWT_SECRET must be the edge's secret (to sign player tokens)");
  Deno.exit(2);
}

const run = crypto.randomUUID().slice(0, 8);
const startedAt = performance.now();
const tally = new DemoTally(startedAt);
const players: Player[] = Array.from({ length: options.players }, (_, i) => {
  const name = `hunter-${run}-${i}`;
  const client = new VeltrixClient({
    url: url!,
    token: () => sign({ sub: name, exp: Math.floor(Date.now() / 1000) + 3600 }, secret!, "HS256"),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  // Connection trouble is retried by the client and shows as players not connected.
  client.on("error", () => {});
  return { hunter: new TreasureHunter(), client, due: Math.random() };
});
console.log(
  `${options.players} players, ${options.rate} events/s each, ` +
    (options.duration > 0 ? `for ${options.duration} s` : "until Ctrl-C") + `; run ${run}`,
);

function send(player: Player): void {
  const { type, data } = player.hunter.next();
  tally.sending(type);
  const sentAt = performance.now();
  player.client.send(type, data).then(
    () => tally.ackedAfter(performance.now() - sentAt),
    (error: unknown) => {
      const code = error instanceof VeltrixClientError ? error.code : "INTERNAL";
      // CLOSED: still unacked when the client closed; counted as lost in the summary.
      if (code !== "CLOSED") tally.refused(code);
    },
  );
}

let lastTick = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  const owed = (options.rate * (now - lastTick)) / 1000;
  lastTick = now;
  for (const player of players) {
    player.due += owed;
    while (player.due >= 1) {
      player.due -= 1;
      send(player);
    }
  }
}, TICK_MS);

const tty = Deno.stdout.isTerminal();
const encoder = new TextEncoder();
const progress = setInterval(() => {
  const now = performance.now();
  const line = tally.progressLine(now, now - startedAt, {
    players: players.length,
    connected: players.filter((p) => p.client.state === "open").length,
    outbox: players.reduce((n, p) => n + p.client.outboxDepth, 0),
  });
  if (tty) Deno.stdout.writeSync(encoder.encode(`\r${line}\x1b[K`));
  else console.log(line);
}, tty ? 1_000 : 5_000);

const stopping = Promise.withResolvers<string>();
const onSigint = () => stopping.resolve("Ctrl-C");
Deno.addSignalListener("SIGINT", onSigint);
const durationTimer = options.duration > 0
  ? setTimeout(() => stopping.resolve("duration reached"), options.duration * 1000)
  : undefined;

const why = await stopping.promise;
clearInterval(ticker);
clearInterval(progress);
clearTimeout(durationTimer);
Deno.removeSignalListener("SIGINT", onSigint);
// A second Ctrl-C gives up on flushing. One a moment after the first is the same press: `deno task`
// forwards the SIGINT its child already got from the terminal.
const stopAskedAt = performance.now();
const giveUp = () => {
  if (performance.now() - stopAskedAt < 1_000) return;
  console.error("\ndemo: stopped without flushing");
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", giveUp);
if (tty) console.log();
console.log(
  `Stopping (${why}): closing ${players.length} players, waiting up to ${options.flushTimeoutMs} ms for acks`,
);

const closed = await Promise.all(players.map((p) => p.client.close({ flushTimeoutMs: options.flushTimeoutMs })));
const unacked = closed.reduce((n, c) => n + c.unacked.length, 0);
const summary = tally.summary({
  players: players.length,
  ratePerPlayer: options.rate,
  durationMs: performance.now() - startedAt,
  resent: players.reduce((n, p) => n + p.client.stats.resent, 0),
  reconnects: players.reduce((n, p) => n + p.client.stats.reconnects, 0),
});
if (summary.lost !== unacked) {
  console.error(`demo: ${summary.lost} events unsettled but the clients hand back ${unacked} unacked`);
}
if (edge !== undefined) {
  console.log("Stopping the edge");
  await edge.stop();
}
console.log(describeSummary(summary));
console.log(JSON.stringify(summary));
Deno.removeSignalListener("SIGINT", giveUp);
Deno.exit(summary.lost > 0 || unacked > 0 ? 1 : 0);

function readOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        players: { type: "string", default: "200" },
        rate: { type: "string", default: "2" },
        duration: { type: "string", default: "0" },
        url: { type: "string" },
        "flush-timeout-ms": { type: "string", default: "10000" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const number = (name: string, raw: string, min: number, max: number, integer: boolean): number => {
    const value = Number(raw);
    if (
      raw.trim() === "" || !Number.isFinite(value) || value < min || value > max ||
      (integer && !Number.isInteger(value))
    ) {
      console.error(`demo: --${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}\n${USAGE}`);
      Deno.exit(2);
    }
    return value;
  };
  return {
    players: number("players", parsed.players, 1, 100_000, true),
    rate: number("rate", parsed.rate, 0.001, 10_000, false),
    duration: number("duration", parsed.duration, 0, 86_400 * 365, false),
    url: parsed.url,
    flushTimeoutMs: number("flush-timeout-ms", parsed["flush-timeout-ms"], 0, 600_000, true),
  };
}
