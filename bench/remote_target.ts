/**
 * An edge, or a fleet behind a load balancer, that the benchmark did not start (`--target URL`):
 * load goes to `url`; when the edges' admin URLs are given (`--target-admin`), what the benchmark
 * samples (memory, CPU, event-loop delay, events in flight) is read from their `/metrics` and
 * `/v1/edge` and summed over the edges, as for a group it started. It never stops what it did not start.
 *
 * @module
 */
import type { EdgeUnderTest } from "./edge_under_test.ts";

/** One Prometheus sample's value from `text`, NaN when absent. */
export function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.eE+-]+)$`, "m").exec(text);
  return match ? Number(match[1]) : NaN;
}

/** The target at `url`, sampled through the admin URLs `adminUrls` (none: load only). */
export function remoteTarget(url: string, adminUrls: readonly string[]): EdgeUnderTest {
  const metrics = () => Promise.all(adminUrls.map(async (admin) => await (await fetch(`${admin}/metrics`)).text()));
  const sum = async (name: string) =>
    adminUrls.length === 0 ? NaN : (await metrics()).reduce((total, text) => total + metricValue(text, name), 0);
  return {
    pid: 0,
    ingestUrl: url,
    adminUrl: adminUrls[0] ?? "",
    rssBytes: () => sum("veltrix_process_resident_memory_bytes"),
    cpuSeconds: () => sum("veltrix_process_cpu_seconds_total"),
    async eventLoopDelayP99Ms() {
      const values = (await metrics()).map((text) => metricValue(text, "veltrix_nodejs_eventloop_lag_p99_seconds"));
      return values.length === 0 ? NaN : Math.max(...values) * 1000;
    },
    async routeApplyMs() {
      return adminUrls.length === 0 ? [] : (await (await fetch(`${adminUrls[0]}/v1/edge`)).json()).routeUpdates.applyMs;
    },
    async inFlightEvents() {
      const infos = await Promise.all(adminUrls.map(async (admin) => await (await fetch(`${admin}/v1/edge`)).json()));
      return infos.reduce((total, info) => total + (info.inFlight.events as number), 0);
    },
    exitCode: undefined,
    async stop() {},
  };
}
