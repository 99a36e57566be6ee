/**
 * The treasure hunt in a browser: `deno task example:web-game` builds the client SDK's package
 * (as `deno task build:client` does), then serves the game's page on http://127.0.0.1:8091/ beside an edge, with a leaderboard
 * read from Kafka by the consumer library and a DEV-ONLY token endpoint.
 *
 * Settings (environment):
 * - `PORT` (8091; 0 picks a free port). It prints one JSON line, `{"msg":"listening","port":...}`.
 * - `KAFKA_BROKERS`: unset, the local dev broker is brought up (`deno task kafka up`).
 * - `VELTRIX_EDGE_URL`: the ingest URL of a running edge. Unset, an edge is started here on
 *   `VELTRIX_PORT` (8787) and stopped with this process.
 * - `VELTRIX_JWT_SECRET`: the edge's HS256 secret, with which `/token` signs. Unset, one is made
 *   (only when the edge is started here).
 * - `SDK_DIR`: a package `deno task build:client` built, whose browser bundle the page loads.
 *   Unset, the package is built into `dist/client/` first.
 * - `LEADERBOARD_TOPIC` (`game.leaderboard`), `LEADERBOARD_GROUP` (a new group each run; the board
 *   counts the events of this run only).
 *
 * @module
 */
import { sign } from "hono/jwt";
import { loadKafkaConnection } from "../../src/main/kafka_security_source.ts";
import { kafkaUp } from "../../tools/kafka/kafka.ts";
import { startLeaderboardService, stderrLogger } from "../leaderboard/leaderboard_service.ts";
import { startEdge } from "./edge_child.ts";
import { buildClient } from "../../tools/client/build_client.ts";
import { answerHelp } from "../../tools/dev/usage.ts";

answerHelp(
  Deno.args,
  `usage: deno task example:web-game

The treasure hunt in a browser, on the client SDK's built bundle: builds the package into
dist/client/, brings up the local broker (unless KAFKA_BROKERS is set) and an edge (unless
VELTRIX_EDGE_URL is set), and serves the game at http://127.0.0.1:8091/ with a live leaderboard.
DEV ONLY: /token signs tokens for any player with the dev secret. Settings: PORT, KAFKA_BROKERS,
VELTRIX_EDGE_URL, VELTRIX_PORT, VELTRIX_JWT_SECRET, SDK_DIR, LEADERBOARD_TOPIC, LEADERBOARD_GROUP.`,
);

const root = new URL("../../", import.meta.url).pathname;
const pageDir = new URL("page/", import.meta.url).pathname;
const env = (name: string, fallback: string) => Deno.env.get(name) || fallback;
const topic = env("LEADERBOARD_TOPIC", "game.leaderboard");
const groupId = env("LEADERBOARD_GROUP", `treasure-hunt-web-${crypto.randomUUID().slice(0, 8)}`);
/** How long a dev token lives, in seconds. */
const TOKEN_TTL_S = Number(env("TOKEN_TTL_S", "600"));
const PLAYER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const startedAt = Date.now();

const logger = stderrLogger();

const sdkDir = Deno.env.get("SDK_DIR") || (await buildClient(`${root}dist/client`)).outDir;
if (!Deno.env.get("KAFKA_BROKERS")) await kafkaUp();
const brokers = env("KAFKA_BROKERS", "127.0.0.1:9092");
let secret = Deno.env.get("VELTRIX_JWT_SECRET");
let edgeUrl = Deno.env.get("VELTRIX_EDGE_URL");
const edge = edgeUrl ? undefined : await startEdge({
  brokers,
  secret: secret ??= btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
  port: env("VELTRIX_PORT", "8787"),
  root,
  logger,
});
edgeUrl ??= edge!.ingestUrl;
if (!secret) throw new Error("VELTRIX_EDGE_URL names an edge: set VELTRIX_JWT_SECRET to its secret");
const devSecret = secret;

const leaderboard = await startLeaderboardService({
  cluster: await loadKafkaConnection(Deno.env.toObject(), brokers),
  topic,
  groupId,
  poisonTopic: `${topic}.poison`,
  start: { from: "timestamp", timestampMs: startedAt },
  logger,
});

/**
 * DEV ONLY: signs a token for any player who asks, with the edge's own secret. A real game gets
 * its tokens from its login service; never serve this in production.
 */
async function devToken(player: string | null): Promise<Response> {
  if (player === null || !PLAYER_NAME.test(player)) {
    return new Response("player must be 1 to 64 of [A-Za-z0-9._-]", { status: 400 });
  }
  const token = await sign({ sub: player, exp: Math.floor(Date.now() / 1000) + TOKEN_TTL_S }, devSecret, "HS256");
  return new Response(token, {
    headers: { "content-type": "text/plain", "x-veltrix-dev-token": "signed with the dev secret; development only" },
  });
}

const FILES: Record<string, [string, string]> = {
  "/": [`${pageDir}index.html`, "text/html; charset=utf-8"],
  "/game.js": [`${pageDir}game.js`, "text/javascript"],
  "/world.js": [`${pageDir}world.js`, "text/javascript"],
  "/sdk/veltrix-client.min.js": [`${sdkDir}/browser/veltrix-client.min.js`, "text/javascript"],
  "/sdk/veltrix-client.min.js.map": [`${sdkDir}/browser/veltrix-client.min.js.map`, "application/json"],
};

async function serveFile(path: string, type: string): Promise<Response> {
  try {
    return new Response(await Deno.readFile(path), { headers: { "content-type": type, "cache-control": "no-store" } });
  } catch {
    return new Response(`${path} is missing (run \`deno task build:client\`)`, { status: 404 });
  }
}

const shutdown = new AbortController();
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: Number(env("PORT", "8091")),
  signal: shutdown.signal,
  onListen: ({ port }) => {
    console.log(JSON.stringify({ msg: "listening", port, edgeUrl }));
    console.error(
      `Treasure hunt: http://127.0.0.1:${port}/ (open it in two tabs to race a friend)\n` +
        "DEV ONLY: /token signs a token for any player with the dev secret; never serve it in production.",
    );
  },
}, (request) => {
  const url = new URL(request.url);
  const file = FILES[url.pathname];
  if (file) return serveFile(...file);
  if (url.pathname === "/config") return Response.json({ edgeUrl, devTokens: true });
  if (url.pathname === "/token") return devToken(url.searchParams.get("player"));
  if (url.pathname === "/scores") {
    const player = url.searchParams.get("player");
    const you = player === null ? undefined : leaderboard.board.standing(player);
    return Response.json({ topic, ...leaderboard.runner.stats, rows: leaderboard.board.top(10), you });
  }
  return new Response("not found", { status: 404 });
});

async function stop() {
  await leaderboard.stop();
  shutdown.abort();
  await server.finished;
  const code = await edge?.stop() ?? 0;
  Deno.exit(code === 0 ? 0 : 1);
}
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
