/**
 * An edge in this process for the demo, set up the way `deno task start` sets one up: the dev
 * broker is brought up unless `KAFKA_BROKERS` is set, and a random JWT secret is made unless
 * `VELTRIX_JWT_SECRET` is set. The edge's JSON log goes to a file, so that it does not break the
 * demo's progress line. The demo, not the edge, answers Ctrl-C: it flushes its players first,
 * then stops the edge.
 *
 * @module
 */
import { kafkaUp } from "../kafka/kafka.ts";
import { loadEdgeConfig } from "../../src/main/config.ts";
import { startEdgeServer } from "../../src/main/edge_server.ts";
import { createLogger } from "../../src/main/log.ts";

/** A running edge, and how to reach it. */
export interface LocalEdge {
  /** `ws://127.0.0.1:PORT/v1/ingest` */
  readonly ingestUrl: string;
  /** `http://127.0.0.1:ADMIN_PORT/dashboard` */
  readonly dashboardUrl: string;
  /** The HS256 secret player tokens are signed with. */
  readonly jwtSecret: string;
  /** Where the edge's JSON log lines go. */
  readonly logPath: string;
  /** Stops the edge the way SIGTERM does: flush, ack, close sockets. */
  stop(): Promise<void>;
}

/**
 * Starts an edge on the configuration in `env` (its defaults: client port 8787, admin port 8788)
 * and resolves once it is ready for events. Rejects when it cannot start or Kafka does not
 * answer within `readyTimeoutMs`.
 */
export async function startLocalEdge(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  { logPath = ".veltrix/demo/edge.log", readyTimeoutMs = 60_000 } = {},
): Promise<LocalEdge> {
  if (!env.KAFKA_BROKERS) await kafkaUp();
  const jwtSecret = env.VELTRIX_JWT_SECRET || randomSecret();
  const config = loadEdgeConfig({ ...env, VELTRIX_JWT_SECRET: jwtSecret }, {
    hostname: Deno.hostname(),
    pid: Deno.pid,
  });
  await Deno.mkdir(logPath.replace(/\/[^/]*$/, ""), { recursive: true });
  const file = await Deno.open(logPath, { create: true, append: true });
  const encoder = new TextEncoder();
  const logger = createLogger(config.logLevel, { edge: config.edgeId }, (line) => {
    file.writeSync(encoder.encode(line + "\n"));
  });
  let edge;
  try {
    edge = await startEdgeServer(config, logger);
  } catch (error) {
    file.close();
    throw error;
  }
  const running = edge;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      running.ready.then((ready) => {
        if (!ready) throw new Error(`the edge stopped before it was ready; see ${logPath}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the edge was not ready after ${readyTimeoutMs} ms (is Kafka up?); see ${logPath}`)),
          readyTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await running.stop();
    file.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    ingestUrl: `ws://${urlHost(config.host)}:${running.port}/v1/ingest`,
    dashboardUrl: `http://${urlHost(config.adminHost)}:${running.adminPort}/dashboard`,
    jwtSecret,
    logPath,
    async stop() {
      try {
        await running.stop();
      } finally {
        file.close();
      }
    },
  };
}

/** A host to put in a URL for a bind address: a wildcard bind is reached on loopback. */
function urlHost(bind: string): string {
  if (bind === "0.0.0.0" || bind === "::" || bind === "") return "127.0.0.1";
  return bind.includes(":") ? `[${bind}]` : bind;
}

function randomSecret(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}
