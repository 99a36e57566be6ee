import { freshTopic } from "./kafka_ready.ts";
import { testBrokers } from "./kafka_target.ts";
import { TEST_JWT_SECRET } from "./tokens.ts";
import { edgeArgv, edgeEnvironment } from "../../tools/dev/edge_launch.ts";

const root = new URL("../../", import.meta.url).pathname;

/** An edge running as its own process, as in production. */
export interface EdgeProcess {
  readonly port: number;
  readonly adminPort: number;
  /** The edge's process id. */
  readonly pid: number;
  /** The plain-gRPC control port. */
  readonly grpcPort: number;
  readonly edgeId: string;
  /** `ws://127.0.0.1:PORT/v1/ingest` */
  readonly ingestUrl: string;
  /** Everything the edge logged so far, one JSON object per entry. */
  readonly logs: Record<string, unknown>[];
  /** SIGTERM, then wait for exit; returns the exit code. */
  stop(): Promise<number>;
  /** SIGKILL (`kill -9`), then wait for exit. */
  kill(): Promise<number>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number>;
}

/**
 * A route map topic and an edge status topic of their own, for the edges of one test to share: no
 * other test's edges count in their fleet view (`GET /v1/fleet`) and no other test's maps reach them.
 */
export function ownFleetTopics(): { VELTRIX_ROUTES_TOPIC: string; VELTRIX_EDGES_TOPIC: string } {
  return {
    VELTRIX_ROUTES_TOPIC: freshTopic("veltrix.routes.test"),
    VELTRIX_EDGES_TOPIC: freshTopic("veltrix.edges.test"),
  };
}

/**
 * Starts `src/main/main.ts` on free ports and resolves once its `/readyz` answers 200 (Kafka
 * connected, topics present). Extra environment variables override the test defaults. Unless `env`
 * names them, the edge gets a route map topic and an edge status topic of its own
 * ({@link ownFleetTopics}); edges that must see each other share one `ownFleetTopics()`.
 */
export async function startEdgeProcess(
  env: Record<string, string> = {},
  { timeoutMs = 60_000, waitReady = true, launcher = [], allowAll = false }: {
    timeoutMs?: number;
    waitReady?: boolean;
    /** Runs the edge with `--allow-all` instead of the edge task's permissions (it can then read /proc). */
    allowAll?: boolean;
    /** A command the edge runs under, e.g. `["prlimit", "--nofile=300:300"]`. */
    launcher?: string[];
  } = {},
): Promise<EdgeProcess> {
  const edgeId = env.VELTRIX_EDGE_ID ?? `test-edge-${crypto.randomUUID().slice(0, 8)}`;
  // A state folder of its own, removed once the edge has exited, unless the caller names one.
  const ownStateDir = env.VELTRIX_STATE_DIR === undefined
    ? Deno.makeTempDirSync({ prefix: "veltrix-test-state-" })
    : undefined;
  const [command, ...args] = edgeArgv({ launcher, allowAll });
  const child = new Deno.Command(command!, {
    args,
    cwd: root,
    env: edgeEnvironment({
      KAFKA_BROKERS: testBrokers(),
      VELTRIX_JWT_SECRET: TEST_JWT_SECRET,
      VELTRIX_EDGE_ID: edgeId,
      ...ownFleetTopics(),
      ...(ownStateDir ? { VELTRIX_STATE_DIR: ownStateDir } : {}),
      ...env,
    }),
    stdout: "null",
    stderr: "piped",
  }).spawn();

  const logs: Record<string, unknown>[] = [];
  const listening = Promise.withResolvers<{ port: number; adminPort: number; grpcPort: number }>();
  const pump = (async () => {
    let buffered = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line);
        } catch {
          entry = { level: "raw", msg: line };
        }
        logs.push(entry);
        if (entry.msg === "listening") {
          listening.resolve({
            port: entry.port as number,
            adminPort: entry.adminPort as number,
            grpcPort: entry.grpcPort as number,
          });
        }
      }
    }
  })();
  const exited = child.status.then(async (status) => {
    listening.reject(new Error(`edge exited early (${status.code}): ${JSON.stringify(logs.slice(-5))}`));
    if (ownStateDir) await Deno.remove(ownStateDir, { recursive: true }).catch(() => {});
    return status.code;
  });

  const { port, adminPort, grpcPort } = await listening.promise;
  const deadline = Date.now() + timeoutMs;
  while (waitReady) {
    const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`edge not ready after ${timeoutMs} ms: ${JSON.stringify(logs.slice(-5))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    port,
    adminPort,
    grpcPort,
    pid: child.pid,
    edgeId,
    ingestUrl: `ws://127.0.0.1:${port}/v1/ingest`,
    logs,
    exited,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const code = await exited;
      await pump;
      return code;
    },
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      const code = await exited;
      await pump;
      return code;
    },
  };
}

/** A TCP port that was free a moment ago, for an edge that must come back on the same port. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
