/**
 * Several edge processes sharing one client port on this host (`VELTRIX_REUSE_PORT=true`, so the
 * kernel spreads connections over them), seen by the benchmark as one edge: memory and CPU are
 * summed, event-loop delay is the worst of them, and route updates go to the first (the others
 * take them from the route map topic).
 *
 * @module
 */
import { type EdgeUnderTest, startEdgeUnderTest } from "./edge_under_test.ts";

/** Starts `count` edges; with one, it is simply that edge on a free port. */
export async function startEdgeGroup(
  count: number,
  options: { brokers: string; jwtSecret: string; trustedKeys?: string },
): Promise<EdgeUnderTest> {
  if (count <= 1) return await startEdgeUnderTest(options);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const extraEnv = { VELTRIX_PORT: String(port), VELTRIX_REUSE_PORT: "true" };
  const edges: EdgeUnderTest[] = [];
  for (let i = 0; i < count; i++) edges.push(await startEdgeUnderTest({ ...options, extraEnv }));
  const first = edges[0]!;
  const sum = async (f: (e: EdgeUnderTest) => Promise<number>) =>
    (await Promise.all(edges.map(f))).reduce((a, b) => a + b, 0);
  return {
    pid: first.pid,
    ingestUrl: first.ingestUrl,
    adminUrl: first.adminUrl,
    rssBytes: () => sum((e) => e.rssBytes()),
    cpuSeconds: () => sum((e) => e.cpuSeconds()),
    eventLoopDelayP99Ms: async () => Math.max(...await Promise.all(edges.map((e) => e.eventLoopDelayP99Ms()))),
    routeApplyMs: () => first.routeApplyMs(),
    inFlightEvents: () => sum((e) => e.inFlightEvents()),
    get exitCode() {
      return edges.find((e) => e.exitCode !== undefined)?.exitCode;
    },
    async stop() {
      await Promise.all(edges.map((e) => e.stop()));
    },
  };
}
