import assert from "node:assert/strict";
import { Outbox, type PendingEvent } from "./outbox.ts";

function pending(id: string): PendingEvent {
  return {
    entry: { id, type: "t" },
    wire: `{"id":"${id}"}`,
    settle: undefined,
    phase: "queued",
    transmissions: 0,
    retries: 0,
    timer: undefined,
  };
}

function sent(outbox: Outbox, ...events: PendingEvent[]): void {
  for (const event of events) {
    outbox.add(event);
    outbox.enqueue(event);
  }
}

Deno.test("Outbox.nextBatch() takes at most max queued events in order, and markSent() tells a first send from a resend", () => {
  const outbox = new Outbox();
  const [a, b, c] = [pending("a"), pending("b"), pending("c")];
  sent(outbox, a, b, c);
  assert.deepEqual(outbox.nextBatch(2).map((event) => event.entry.id), ["a", "b"]);
  assert.equal(outbox.markSent(a), true);
  assert.equal(a.phase, "inflight");
  assert.equal(outbox.queued, 2);
  outbox.requeueAll();
  assert.deepEqual(outbox.nextBatch(10).map((event) => event.entry.id), ["a", "b", "c"]);
  assert.equal(outbox.markSent(a), false);
});

Deno.test("Outbox.adopt() puts loaded entries first, skipping malformed ones and ids already held", () => {
  const outbox = new Outbox();
  sent(outbox, pending("new"));
  const recovered = outbox.adopt([
    { id: "old-1", type: "t" },
    { id: "", type: "t" },
    { id: "old-2" },
    { id: "new", type: "t" },
    { id: "old-1", type: "t" },
    { id: "old-3", type: "t" },
  ]);
  assert.deepEqual(recovered.map((entry) => entry.id), ["old-1", "old-3"]);
  assert.deepEqual([...outbox.values()].map((event) => event.entry.id), ["old-1", "old-3", "new"]);
  assert.deepEqual(outbox.nextBatch(10).map((event) => event.entry.id), ["old-1", "old-3", "new"]);
  assert.equal(outbox.get("old-1")?.transmissions, 1, "a recovered event counts as sent once");
});

Deno.test("Outbox.adopt() takes nothing from a load that is not an array", () => {
  const outbox = new Outbox();
  assert.deepEqual(outbox.adopt({ id: "a", type: "t" }), []);
  assert.equal(outbox.size, 0);
});

Deno.test("Outbox.drained() settles once the last event is removed and the waiters are woken", async () => {
  const outbox = new Outbox();
  const a = pending("a");
  sent(outbox, a);
  let drained = false;
  const waiting = outbox.drained().then(() => drained = true);
  outbox.wakeDrainWaiters();
  await null;
  assert.equal(drained, false);
  outbox.remove(a);
  outbox.wakeDrainWaiters();
  await waiting;
  assert.equal(drained, true);
  assert.equal(outbox.size, 0);
});

Deno.test("Outbox.retryLater() holds an event back, then queues it again and calls back", async () => {
  const outbox = new Outbox();
  const a = pending("a");
  sent(outbox, a);
  outbox.markSent(a);
  const queued = Promise.withResolvers<void>();
  outbox.retryLater(a, 1, { initialDelayMs: 0, maxDelayMs: 0 }, queued.resolve);
  assert.equal(a.phase, "waiting");
  assert.equal(a.retries, 1);
  assert.equal(outbox.queued, 0);
  await queued.promise;
  assert.equal(a.phase, "queued");
  assert.equal(outbox.queued, 1);
});
