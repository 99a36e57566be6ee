import { textLines } from "../../bench/text_lines.ts";
import type { Logger } from "../../src/core/mod.ts";

/** The edge the game's server starts when it is given none: `src/main/main.ts` as a child process. */

/** A running edge child. */
export interface EdgeChild {
  readonly ingestUrl: string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number>;
}

/**
 * Starts an edge with the edge task's permissions and resolves once it listens; passes on its
 * errors through `logger`.
 */
export async function startEdge(options: {
  brokers: string;
  secret: string;
  port: string;
  root: string;
  logger: Logger;
}): Promise<EdgeChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys", "src/main/main.ts"],
    cwd: options.root,
    env: {
      KAFKA_BROKERS: options.brokers,
      VELTRIX_JWT_SECRET: options.secret,
      VELTRIX_PORT: options.port,
      VELTRIX_ADMIN_PORT: "0",
      VELTRIX_GRPC_PORT: "0",
      VELTRIX_LOG_LEVEL: "info",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const listening = Promise.withResolvers<number>();
  const pump = (async () => {
    for await (const line of textLines(child.stderr)) {
      let entry: Record<string, unknown> = {};
      try {
        entry = JSON.parse(line);
      } catch {
        options.logger.warn("edge", { line });
      }
      if (entry.msg === "listening") listening.resolve(entry.port as number);
      else if (entry.level === "error") options.logger.error("edge", entry);
    }
  })();
  child.status.then((status) => listening.reject(new Error(`the edge exited (${status.code}) before it listened`)));
  const port = await listening.promise;
  return {
    ingestUrl: `ws://127.0.0.1:${port}/v1/ingest`,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const { code } = await child.status;
      await pump;
      return code;
    },
  };
}
