import assert from "node:assert/strict";
import { metricValue, remoteTarget } from "./remote_target.ts";

Deno.test("metricValue() reads a sample with or without labels, and NaN when it is absent", () => {
  const text = [
    "# HELP veltrix_process_cpu_seconds_total Total user and system CPU time spent in seconds.",
    "veltrix_process_cpu_seconds_total 12.5",
    'veltrix_nodejs_eventloop_lag_p99_seconds{edge="a"} 0.004',
  ].join("\n");
  assert.equal(metricValue(text, "veltrix_process_cpu_seconds_total"), 12.5);
  assert.equal(metricValue(text, "veltrix_nodejs_eventloop_lag_p99_seconds"), 0.004);
  assert.ok(Number.isNaN(metricValue(text, "veltrix_process_resident_memory_bytes")));
});

Deno.test("remoteTarget() sums memory and CPU over the edges' admin ports and never stops them", async () => {
  const served: Deno.HttpServer[] = [];
  const admins: string[] = [];
  for (const [rss, cpu, lag, inFlight] of [[100, 1.5, 0.002, 3], [50, 2, 0.009, 4]]) {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) =>
        new URL(request.url).pathname === "/metrics"
          ? new Response(
            `veltrix_process_resident_memory_bytes ${rss}\nveltrix_process_cpu_seconds_total ${cpu}\n` +
              `veltrix_nodejs_eventloop_lag_p99_seconds ${lag}\n`,
          )
          : Response.json({ inFlight: { events: inFlight }, routeUpdates: { applyMs: [1] } }),
    );
    served.push(server);
    admins.push(`http://127.0.0.1:${server.addr.port}`);
  }
  try {
    const target = remoteTarget("ws://127.0.0.1:8800/v1/ingest", admins);
    assert.equal(target.ingestUrl, "ws://127.0.0.1:8800/v1/ingest");
    assert.equal(await target.rssBytes(), 150);
    assert.equal(await target.cpuSeconds(), 3.5);
    assert.equal(await target.eventLoopDelayP99Ms(), 9);
    assert.equal(await target.inFlightEvents(), 7);
    await target.stop();
    assert.equal((await fetch(`${admins[0]}/metrics`).then((r) => r.text())).length > 0, true, "still serving");
  } finally {
    await Promise.all(served.map((server) => server.shutdown()));
  }
});
