/**
 * What the batcher costs per event on the ack path, with the edge's metrics: frames of 100 events
 * submitted to a batcher over an immediate sink until every event is acked — one lane without a
 * tenant claim (as before produce lanes), and a lane that also tells a tenant's ack histogram.
 * Divide by 100 for the cost per event.
 */
import { EdgeMetrics } from "../edge_metrics.ts";
import type { ProduceBatcherOptions } from "./produce_batcher.ts";
import { immediateBatcher } from "./testing/immediate_batcher.ts";

const EVENTS = 100;
const records = Array.from({ length: EVENTS }, (_, i) => ({
  records: [{ topic: "game.treasure", key: `p-${i}`, value: `{"gold":${i}}`, headers: {} }],
  bytes: 40,
}));
const ids = Array.from({ length: EVENTS }, (_, i) => `bench-${i}`);

function setup(extra: Partial<ProduceBatcherOptions>) {
  const metrics = new EdgeMetrics();
  let acked = 0;
  let done: () => void = () => {};
  const listener = {
    delivered() {
      if (++acked % EVENTS === 0) done();
    },
    failed() {},
  };
  const batcher = immediateBatcher(EVENTS, { metrics, ...extra });
  return async () => {
    const settled = new Promise<void>((resolve) => (done = resolve));
    for (let i = 0; i < EVENTS; i++) batcher.submit(records[i]!, listener, ids[i]!);
    await settled;
  };
}

const plain = setup({});
Deno.bench("100 events through a batcher to their acks, edge metrics, no tenant claim", { baseline: true }, plain);
const tenant = setup({ tenantAcks: new EdgeMetrics().tenantAcks("acme") });
Deno.bench("100 events through a tenant's lane batcher, edge metrics and its ack histogram", tenant);
