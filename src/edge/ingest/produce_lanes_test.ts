import assert from "node:assert/strict";
import { FakeRecordSink } from "./testing/fake_record_sink.ts";
import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";
import type { LaneSink } from "../../core/routing/record_sink.ts";
import type { ProduceBatcherOptions } from "./produce_batcher.ts";
import type { TenantAcks } from "../tenant_metrics.ts";
import { type ProduceLane, ProduceLanes, type ProduceLanesOptions } from "./produce_lanes.ts";

/** A lane's sink: writes stay pending until the test settles them; `close` is counted. */
class FakeLaneSink extends FakeRecordSink implements LaneSink {
  closed = 0;
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

/** The shared sink, and every lane sink opened so far by tenant. */
function harness(overrides: Partial<ProduceLanesOptions> = {}, batcher: Partial<ProduceBatcherOptions> = {}) {
  const shared = new FakeRecordSink();
  const opened = new Map<string, FakeLaneSink>();
  const acked: string[] = [];
  const lanes = new ProduceLanes({
    sink: shared,
    openSink: (lane) => {
      const sink = new FakeLaneSink();
      opened.set(lane, sink);
      return sink;
    },
    tenantClaim: true,
    tenantAcks: (label): TenantAcks => ({ acked: () => acked.push(label) }),
    batcher: {
      lingerMs: 60_000,
      batchMaxEvents: 1,
      batchMaxBytes: 1_000_000,
      maxInFlightBatches: 1,
      maxPendingEvents: 1_000,
      ...batcher,
    },
    ...overrides,
  });
  return { lanes, shared, opened, acked };
}

/** Remembers the ids delivered and failed. */
function listener(): DeliveryListener & { delivered_: string[]; failed_: string[] } {
  const delivered_: string[] = [];
  const failed_: string[] = [];
  return { delivered_, failed_, delivered: (id) => delivered_.push(id), failed: (id) => failed_.push(id) };
}

function submit(lane: ProduceLane, to: DeliveryListener, id: string): boolean {
  const record = { topic: "game.t", key: id, value: id, headers: {} };
  return lane.batcher.submit({ records: [record], bytes: 10 }, to, id, Date.now(), lane.tenantAcks);
}

/** Lets every callback already due run (settled writes, their listeners); not a readiness wait. */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("ProduceLanes opens a lane per listed tenant (its own sink, at once) plus other on the shared sink", async () => {
  const { lanes, shared, opened } = harness();
  lanes.follow(["acme", "zeta"]);
  assert.deepEqual(lanes.labels(), ["other", "acme", "zeta"]);
  assert.deepEqual([...opened.keys()], ["acme", "zeta"], "sinks open when the map is applied, before any event");
  const acme = lanes.join("acme");
  const other = lanes.join("other");
  const unknown = lanes.join("nobody");
  const seen = listener();
  submit(acme, seen, "a-1");
  submit(other, seen, "o-1");
  submit(unknown, seen, "u-1");
  assert.deepEqual(opened.get("acme")!.batches, [["a-1"]]);
  assert.deepEqual(opened.get("zeta")!.batches, []);
  assert.deepEqual(shared.batches, [["o-1"]], "other's batcher holds one write in flight");
  shared.writes[0]!.resolve();
  opened.get("acme")!.writes[0]!.resolve();
  await turn();
  assert.deepEqual(shared.batches, [["o-1"], ["u-1"]]);
});

Deno.test("ProduceLanes keeps one lane without a tenant claim, or without a lane factory (shared)", () => {
  for (const overrides of [{ tenantClaim: false }, { openSink: undefined }]) {
    const { lanes, opened } = harness(overrides);
    lanes.follow(["acme", "zeta"]);
    assert.deepEqual(lanes.labels(), ["other"]);
    assert.equal(opened.size, 0);
    assert.equal(lanes.join("acme").batcher, lanes.shared);
    assert.equal(lanes.perTenant, false);
  }
});

Deno.test("ProduceLanes: a tenant whose writes never settle does not hold up another tenant's acks", async () => {
  const { lanes, opened, shared } = harness();
  lanes.follow(["stuck", "quiet"]);
  const stuck = lanes.join("stuck");
  const quiet = lanes.join("quiet");
  const other = lanes.join("other");
  const seen = listener();
  for (let i = 0; i < 5; i++) submit(stuck, seen, `s-${i}`);
  for (let i = 0; i < 5; i++) {
    submit(quiet, seen, `q-${i}`);
    submit(other, seen, `o-${i}`);
    opened.get("quiet")!.writes[i]!.resolve();
    shared.writes[i]!.resolve();
    await turn();
  }
  assert.deepEqual(seen.delivered_.filter((id) => id.startsWith("q-")), ["q-0", "q-1", "q-2", "q-3", "q-4"]);
  assert.deepEqual(seen.delivered_.filter((id) => id.startsWith("o-")), ["o-0", "o-1", "o-2", "o-3", "o-4"]);
  assert.equal(seen.delivered_.filter((id) => id.startsWith("s-")).length, 0);
  assert.equal(opened.get("stuck")!.writes.length, 1, "the stuck lane's one write is still in flight");
  assert.equal(lanes.pendingEvents, 5);
});

Deno.test("ProduceLanes, shared: a tenant whose write never settles holds up everyone's acks (what lanes avoid)", async () => {
  const { lanes, shared } = harness({ openSink: undefined });
  lanes.follow(["stuck", "quiet"]);
  const seen = listener();
  submit(lanes.join("stuck"), seen, "s-0");
  submit(lanes.join("quiet"), seen, "q-0");
  await turn();
  assert.deepEqual(shared.batches, [["s-0"]], "the quiet tenant's event waits behind the stuck write");
  assert.deepEqual(seen.delivered_, []);
});

Deno.test("ProduceLanes holds maxPendingEvents per lane: a full lane refuses, the others take events", () => {
  const { lanes } = harness({}, { maxPendingEvents: 3 });
  lanes.follow(["flood", "quiet"]);
  const flood = lanes.join("flood");
  const seen = listener();
  const taken = Array.from({ length: 5 }, (_, i) => submit(flood, seen, `f-${i}`));
  assert.deepEqual(taken, [true, true, true, false, false]);
  assert.equal(submit(lanes.join("quiet"), seen, "q-0"), true);
  assert.equal(submit(lanes.join("other"), seen, "o-0"), true);
});

Deno.test("ProduceLanes closes the lane of a tenant a new map drops once its connections closed and its events settled", async () => {
  const { lanes, opened } = harness();
  lanes.follow(["gone", "kept"]);
  const gone = lanes.join("gone");
  const seen = listener();
  submit(gone, seen, "g-1");
  lanes.follow(["kept"]);
  await turn();
  const sink = opened.get("gone")!;
  assert.deepEqual(lanes.labels(), ["other", "gone", "kept"], "its connection is still open");
  submit(gone, seen, "g-2");
  sink.writes[0]!.resolve();
  await turn();
  sink.writes[1]!.resolve();
  await turn();
  assert.deepEqual(seen.delivered_, ["g-1", "g-2"], "what the retired lane took is acked");
  assert.equal(sink.closed, 0, "still joined by a connection");
  lanes.leave(gone);
  await turn();
  assert.deepEqual(lanes.labels(), ["other", "kept"]);
  assert.equal(sink.closed, 1);
  assert.equal(opened.get("kept")!.closed, 0);
});

Deno.test("ProduceLanes keeps a dropped tenant's lane open until its last event settles, and revives it when listed again", async () => {
  const { lanes, opened } = harness();
  lanes.follow(["gone"]);
  const gone = lanes.join("gone");
  const seen = listener();
  submit(gone, seen, "g-1");
  lanes.leave(gone);
  lanes.follow([]);
  await turn();
  assert.deepEqual(lanes.labels(), ["other", "gone"], "an event is still in flight");
  lanes.follow(["gone"]);
  opened.get("gone")!.writes[0]!.resolve();
  await turn();
  assert.deepEqual(lanes.labels(), ["other", "gone"], "listed again: it stays");
  assert.equal(opened.get("gone")!.closed, 0);
  assert.deepEqual(seen.delivered_, ["g-1"]);
});

Deno.test("ProduceLanes.drain() settles every lane and closes the tenants' sinks", async () => {
  const { lanes, opened, shared } = harness();
  lanes.follow(["a", "b"]);
  const seen = listener();
  submit(lanes.join("a"), seen, "a-1");
  submit(lanes.join("b"), seen, "b-1");
  submit(lanes.join("other"), seen, "o-1");
  const drained = lanes.drain(60_000);
  opened.get("a")!.writes[0]!.resolve();
  opened.get("b")!.writes[0]!.resolve();
  shared.writes[0]!.resolve();
  assert.equal(await drained, 0);
  assert.deepEqual(seen.delivered_.sort(), ["a-1", "b-1", "o-1"]);
  assert.deepEqual([opened.get("a")!.closed, opened.get("b")!.closed], [1, 1]);
  lanes.follow(["c"]);
  assert.equal(opened.has("c"), false, "no lane opens once the edge stops");
});

Deno.test("ProduceLanes tells each tenant's ack histogram: per lane, or per event when tenants share one batcher", async () => {
  for (const shared of [false, true]) {
    const { lanes, acked, shared: sharedSink, opened } = harness(shared ? { openSink: undefined } : {});
    lanes.follow(["acme"]);
    const seen = listener();
    submit(lanes.join("acme"), seen, "a-1");
    submit(lanes.join("other"), seen, "o-1");
    (shared ? sharedSink : opened.get("acme")!).writes[0]!.resolve();
    await turn();
    if (!shared) sharedSink.writes[0]!.resolve();
    else sharedSink.writes[1]!.resolve();
    await turn();
    assert.deepEqual(acked.sort(), ["acme", "other"], shared ? "shared" : "tenant");
  }
});
