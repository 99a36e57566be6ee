import assert from "node:assert/strict";
import type { OutboxStore } from "../outbox_store.ts";

/**
 * Test helper: the behaviour every {@link OutboxStore} shares, run by each implementation's test
 * file against stores it makes.
 */
export function outboxStoreCases(name: string, makeStore: () => OutboxStore): void {
  Deno.test(`${name}: load() of a new store is empty`, async () => {
    assert.deepEqual(await makeStore().load(), []);
  });

  Deno.test(`${name}: load() returns what was put, oldest first, with type, data and firstSentAt`, async () => {
    const store = makeStore();
    await store.put({ id: "b", type: "player.moved", data: { x: 1, tags: ["a", null] }, firstSentAt: 10 });
    await store.put({ id: "a", type: "treasure.collected" });
    await store.put({ id: "c", type: "player.skipped", data: "text", firstSentAt: 12 });
    assert.deepEqual(await store.load(), [
      { id: "b", type: "player.moved", data: { x: 1, tags: ["a", null] }, firstSentAt: 10 },
      { id: "a", type: "treasure.collected" },
      { id: "c", type: "player.skipped", data: "text", firstSentAt: 12 },
    ]);
  });

  Deno.test(`${name}: delete() forgets one entry and ignores unknown ids`, async () => {
    const store = makeStore();
    await store.put({ id: "a", type: "t" });
    await store.put({ id: "b", type: "t" });
    await store.delete("a");
    await store.delete("never-put");
    assert.deepEqual((await store.load()).map((entry) => entry.id), ["b"]);
  });
}
