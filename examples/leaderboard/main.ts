/**
 * The leaderboard example: a small service that keeps a live leaderboard from `game.leaderboard`
 * with the consumer library (decode, dedupe by event id, commits after handling, poison records),
 * and shows it on a page. `deno task example:leaderboard`, then open http://127.0.0.1:8090/.
 *
 * Settings (environment): KAFKA_BROKERS (127.0.0.1:9092) and the edge's Kafka security settings
 * (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*, KAFKA_OAUTH_*), LEADERBOARD_TOPIC (game.leaderboard),
 * LEADERBOARD_GROUP (veltrix-leaderboard-example), LEADERBOARD_POISON_TOPIC (TOPIC.poison), PORT
 * (8090; 0 picks a free port). It prints one JSON line, `{"msg":"listening","port":...}`.
 *
 * @module
 */
import { loadKafkaConnection } from "../../src/main/kafka_security_source.ts";
import { LEADERBOARD_PAGE } from "./leaderboard_page.ts";
import { answerHelp } from "../../tools/dev/usage.ts";
import { startLeaderboardService, stderrLogger } from "./leaderboard_service.ts";

answerHelp(
  Deno.args,
  `usage: deno task example:leaderboard

A live leaderboard on the consumer library: keeps the standings from the leaderboard topic (decode,
dedupe by event id, commit after handling, poison records) and shows them at http://127.0.0.1:8090/.
Settings come from the environment: KAFKA_BROKERS (127.0.0.1:9092) and the edge's Kafka security
settings, LEADERBOARD_TOPIC (game.leaderboard), LEADERBOARD_GROUP (veltrix-leaderboard-example),
LEADERBOARD_POISON_TOPIC (TOPIC.poison), PORT (8090; 0 picks a free port).`,
);

const env = (name: string, fallback: string) => Deno.env.get(name) ?? fallback;
const connection = await loadKafkaConnection(Deno.env.toObject());
const topic = env("LEADERBOARD_TOPIC", "game.leaderboard");
const groupId = env("LEADERBOARD_GROUP", "veltrix-leaderboard-example");
const poisonTopic = env("LEADERBOARD_POISON_TOPIC", `${topic}.poison`);

const logger = stderrLogger();

const service = await startLeaderboardService({ cluster: connection, topic, groupId, poisonTopic, logger });
const shutdown = new AbortController();
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: Number(env("PORT", "8090")),
  signal: shutdown.signal,
  onListen: ({ port }) => console.log(JSON.stringify({ msg: "listening", port })),
}, (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/") {
    return new Response(LEADERBOARD_PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
  }
  if (pathname === "/scores") return Response.json({ topic, ...service.runner.stats, rows: service.board.top(20) });
  return new Response("not found", { status: 404 });
});

async function stop() {
  await service.stop();
  shutdown.abort();
  await server.finished;
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
