/**
 * The edge process: reads its configuration from the environment, starts the client and admin
 * listeners, connects to Kafka, and shuts down cleanly on SIGTERM or SIGINT.
 *
 * @module
 */
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { loadEdgeConfig } from "./config.ts";
import { startEdgeServer } from "./edge_server.ts";
import { createLogger } from "./log.ts";

/** The ports an edge is listening on: the bound ones, also when its settings asked for port 0. */
export interface BoundPorts {
  readonly port: number;
  readonly adminPort: number;
  /** Absent when the plain-gRPC listener is off (`VELTRIX_GRPC_PORT=-1`). */
  readonly grpcPort: number | undefined;
}

/**
 * Runs an edge until a signal stops it. Returns the process exit code.
 *
 * @param onReady called once the edge first takes events (listeners bound, Kafka connected, table
 *   loaded), with the ports it is on; never called when it stops before that.
 */
export async function runEdge(
  env: Record<string, string | undefined>,
  onReady?: (ports: BoundPorts) => void,
): Promise<number> {
  let config;
  try {
    config = loadEdgeConfig(env, { hostname: Deno.hostname(), pid: Deno.pid });
  } catch (error) {
    console.error(`veltrix: ${VeltrixError.from(error).message}`);
    return 2;
  }
  const logger = createLogger(config.logLevel, { edge: config.edgeId });
  let edge;
  try {
    edge = await startEdgeServer(config, logger);
  } catch (error) {
    const refusal = VeltrixError.from(error);
    logger.error("edge could not start", { code: refusal.code, error: refusal.message });
    console.error(`veltrix: ${refusal.code}: ${refusal.message}`);
    return 2;
  }
  logger.info("listening", {
    port: edge.port,
    adminPort: edge.adminPort,
    grpcPort: edge.grpcPort,
    host: config.host,
    adminHost: config.adminHost,
    routeVersion: edge.routes.table.versionText,
  });
  if (onReady) {
    const ports = { port: edge.port, adminPort: edge.adminPort, grpcPort: edge.grpcPort };
    void edge.ready.then((ready) => {
      if (ready) onReady(ports);
    });
  }
  const stopped = Promise.withResolvers<void>();
  const onSignal = (signal: Deno.Signal | "listener failure" | "start-up refusal") => () => {
    logger.info("shutting down", { signal });
    // Whatever happens inside stop(), the process exits within the drain delay and the configured
    // bound (plus 2 s for closing sockets and the producer).
    const deadline = setTimeout(() => {
      logger.error("shutdown did not finish in time; exiting", { timeoutMs: config.shutdownTimeoutMs });
      Deno.exit(1);
    }, config.drainDelayMs + config.shutdownTimeoutMs + 2_000);
    Deno.unrefTimer(deadline);
    edge.stop().then(stopped.resolve, stopped.resolve);
  };
  const handlers = (["SIGTERM", "SIGINT"] as const).map((signal) => {
    const handler = onSignal(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  // A listener that fails for good (out of file descriptors, say) leaves an edge that cannot serve:
  // stop it the same way, so what it accepted is still written and acked, and exit non-zero so
  // that the supervisor restarts it.
  // A start-up refusal from Kafka (a replication factor the cluster cannot meet, credentials or a
  // TLS handshake it refuses) stops it too,
  // and exits 2 like any other start-up error.
  const failure = await firstFailure(edge.failure, stopped.promise);
  const refusal = failure instanceof VeltrixError ? failure : undefined;
  if (refusal) {
    logger.error("edge could not start", { code: refusal.code, error: refusal.message });
    console.error(`veltrix: ${refusal.code}: ${refusal.message}`);
  }
  if (failure !== undefined) {
    onSignal(refusal ? "start-up refusal" : "listener failure")();
    await stopped.promise;
  }
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  logger.info("stopped");
  return failure === undefined ? 0 : refusal ? 2 : 1;
}

/** What `deno task edge --help` prints. */
export const EDGE_USAGE = `usage: deno task edge

Runs one edge process. It is configured by environment variables only (VELTRIX_*, KAFKA_*): see
docs/operations.md#configuration for each, its default and its meaning. SIGTERM or Ctrl-C drains it
and stops it; it exits 2 when it cannot start with its settings.`;

/** The reason `failure` is aborted with, or undefined when `stopped` resolves first. */
function firstFailure(failure: AbortSignal, stopped: Promise<void>): Promise<Error | undefined> {
  if (failure.aborted) return Promise.resolve(failure.reason as Error);
  return new Promise((resolve) => {
    failure.addEventListener("abort", () => resolve(failure.reason as Error), { once: true });
    stopped.then(() => resolve(undefined));
  });
}

if (import.meta.main) {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(EDGE_USAGE);
    Deno.exit(0);
  }
  Deno.exit(await runEdge(Deno.env.toObject()));
}
