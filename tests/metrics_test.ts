/** `GET /metrics` on the admin port: Prometheus text whose counters move with real traffic. */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";

/** The value of a sample line (`name{labels} value`) in Prometheus text, or 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

Deno.test("GET /metrics reports received, acked, rejected, routed and dead-lettered events, latency and gauges", async () => {
  const edge = await startEdgeProcess();
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
    return await response.text();
  };
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken("metrics-player"));
  try {
    const before = await scrape();
    const run = crypto.randomUUID().slice(0, 8);
    client.sendJson([
      { id: `${run}-1`, type: "treasure.collected" },
      { id: `${run}-2`, type: "player.moved" },
      { id: `${run}-3`, type: "lobby.ping" },
      { id: `${run}-4`, type: "Bad Type" },
    ]);
    await client.waitForAcks([`${run}-1`, `${run}-2`, `${run}-3`]);
    const after = await scrape();
    const delta = (series: string) => sample(after, series) - sample(before, series);
    assert.equal(delta("veltrix_events_received_total"), 4);
    assert.equal(delta("veltrix_events_acked_total"), 3);
    assert.equal(delta('veltrix_events_rejected_total{code="INVALID_EVENT"}'), 1);
    assert.equal(delta('veltrix_events_routed_total{topic="game.leaderboard"}'), 1);
    assert.equal(delta('veltrix_events_routed_total{topic="game.treasure"}'), 1);
    assert.equal(delta('veltrix_events_routed_total{topic="game.player-activity"}'), 1);
    assert.equal(delta("veltrix_events_unrouted_total"), 1);
    assert.equal(delta("veltrix_events_dead_lettered_total"), 1);
    assert.equal(delta("veltrix_ack_latency_seconds_count"), 3);
    assert.ok(delta("veltrix_kafka_produce_latency_seconds_count") >= 1);
    assert.equal(sample(after, "veltrix_open_connections"), 1);
    assert.equal(sample(after, "veltrix_route_map_version"), 1);
    assert.equal(sample(after, "veltrix_in_flight_events"), 0);
    for (
      const name of [
        "veltrix_process_resident_memory_bytes",
        "veltrix_process_cpu_seconds_total",
        "veltrix_nodejs_eventloop_lag_p99_seconds",
      ]
    ) {
      assert.ok(sample(after, name) > 0, `${name} is exported with a measured value`);
    }
    assert.ok(!/player="|event_id="|veltrix-player/.test(after), "no player or event ids as labels");
  } finally {
    await client.close();
    await edge.stop();
  }
});
