/**
 * `deno task start`: runs an edge on its embedded defaults for development. When `KAFKA_BROKERS`
 * is unset it brings up the local dev broker first; when `VELTRIX_JWT_SECRET` is unset it makes a
 * random secret and prints a ready-to-use player token and WebSocket URL.
 *
 * @module
 */
import { sign } from "hono/jwt";
import { type BoundPorts, runEdge } from "../../src/main/main.ts";
import { kafkaUp } from "../kafka/kafka.ts";
import { answerHelp } from "./usage.ts";

answerHelp(
  Deno.args,
  `usage: deno task start

Runs one edge on its embedded defaults for development. Unless KAFKA_BROKERS is set, it brings up
the dev Kafka broker first (deno task kafka down stops it); unless VELTRIX_JWT_SECRET is set, it
makes a secret and prints a player token and the WebSocket URL. Every VELTRIX_* setting of
docs/operations.md#configuration applies. Ctrl-C stops the edge.`,
);

const env = Deno.env.toObject();
if (!env.KAFKA_BROKERS) {
  await kafkaUp();
}
/** What to print once the edge takes events (its bound ports: VELTRIX_PORT=0 picks one), if anything. */
let greeting: ((ports: BoundPorts) => string) | undefined;
if (!env.VELTRIX_JWT_SECRET) {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  env.VELTRIX_JWT_SECRET = btoa(String.fromCharCode(...bytes));
  const token = await sign(
    { sub: "dev-player", exp: Math.floor(Date.now() / 1000) + 24 * 3600 },
    env.VELTRIX_JWT_SECRET,
    "HS256",
  );
  const host = env.VELTRIX_HOST && env.VELTRIX_HOST !== "0.0.0.0" ? env.VELTRIX_HOST : "127.0.0.1";
  greeting = ({ port, adminPort }) =>
    [
      "",
      "Veltrix dev mode: VELTRIX_JWT_SECRET was unset, so this run made one:",
      `  VELTRIX_JWT_SECRET=${env.VELTRIX_JWT_SECRET}`,
      "A token for player dev-player, valid 24 h:",
      `  ${token}`,
      "Connect a game client to (the token in the subprotocol list, never in the URL):",
      `  ws://${host}:${port}/v1/ingest  with  Sec-WebSocket-Protocol: veltrix.v1, veltrix.bearer.<token>`,
      `Send: {"events":[{"id":"e-1","type":"treasure.collected","data":{"chest":7}}]}`,
      `Live dashboard: http://127.0.0.1:${adminPort}/dashboard`,
      "",
    ].join("\n");
}
Deno.exit(
  await runEdge(env, (ports) => {
    if (greeting) console.log(greeting(ports));
  }),
);
