import { type Balancer, startBalancer } from "../../tools/fleet/balancer.ts";
import { DEFAULT_CHECKS, rotationExitMs } from "../../tools/fleet/haproxy_config.ts";
import { type EdgeProcess, freePort, ownFleetTopics, startEdgeProcess } from "./edge_process.ts";

/** How long a SIGTERMed test edge keeps serving while HAProxy takes it out of rotation. */
export const TEST_DRAIN_DELAY_MS = rotationExitMs(DEFAULT_CHECKS) + 500;

/** Edges as processes behind a real HAProxy on one client port, as `deno task fleet` runs them. */
export interface TestFleet {
  readonly balancer: Balancer;
  /** The balancer's `ws://…/v1/ingest`: the one URL players use. */
  readonly clientUrl: string;
  /** The edge now in each slot (a replaced edge's successor takes its slot, name and port). */
  readonly edges: readonly EdgeProcess[];
  /** Stops slot `i`'s edge (SIGTERM: it drains; SIGKILL: `kill -9`) and starts a new one on its port. */
  replace(
    i: number,
    how: "SIGTERM" | "SIGKILL",
    options?: { env?: Record<string, string>; downMs?: number },
  ): Promise<{ exitCode: number; outOfRotationMs: number; backMs: number }>;
  stop(): Promise<void>;
}

/**
 * Starts `count` edges on Kafka at `brokers` and HAProxy in front of them (on free ports), and
 * resolves once the balancer has every edge in rotation. `env` reaches every edge.
 */
export async function startTestFleet(
  { brokers, count = 3, env = {} }: { brokers: string; count?: number; env?: Record<string, string> },
): Promise<TestFleet> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-fleet-" });
  const ports = Array.from({ length: count }, () => freePort());
  const names = ports.map((_, i) => `edge-${i + 1}`);
  const generation = ports.map(() => 0);
  const topics = ownFleetTopics();
  const startSlot = (i: number, extra: Record<string, string> = {}) =>
    startEdgeProcess({
      KAFKA_BROKERS: brokers,
      VELTRIX_HOST: "127.0.0.1",
      VELTRIX_PORT: String(ports[i]),
      VELTRIX_EDGE_ID: `${names[i]}-g${generation[i]!++}-${crypto.randomUUID().slice(0, 4)}`,
      VELTRIX_DRAIN_DELAY_MS: String(TEST_DRAIN_DELAY_MS),
      VELTRIX_SHUTDOWN_TIMEOUT_MS: "5000",
      ...topics,
      ...env,
      ...extra,
    });
  const edges = await Promise.all(ports.map((_, i) => startSlot(i)));
  let balancer: Balancer;
  try {
    balancer = await startBalancer({
      listen: `127.0.0.1:${freePort()}`,
      stats: `127.0.0.1:${freePort()}`,
      edges: ports.map((port, i) => ({ name: names[i]!, address: `127.0.0.1:${port}` })),
      maxConnections: 10_000,
      ...DEFAULT_CHECKS,
    }, dir);
    await balancer.waitFor(names, "UP");
  } catch (error) {
    await Promise.all(edges.map((edge) => edge.stop()));
    throw error;
  }
  return {
    balancer,
    clientUrl: balancer.clientUrl,
    edges,
    async replace(i, how, { env: extra = {}, downMs = 0 } = {}) {
      const old = edges[i]!;
      const stopped = performance.now();
      const exiting = how === "SIGTERM" ? old.stop() : old.kill();
      const outOfRotationMs = await balancer.waitFor([names[i]!], "DOWN");
      const exitCode = await exiting;
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      edges[i] = await startSlot(i, extra);
      await balancer.waitFor([names[i]!], "UP");
      return {
        exitCode,
        outOfRotationMs: Math.round(outOfRotationMs),
        backMs: Math.round(performance.now() - stopped),
      };
    },
    async stop() {
      await Promise.all(edges.map((edge) => edge.stop()));
      await balancer.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
