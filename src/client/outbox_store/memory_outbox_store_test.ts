import assert from "node:assert/strict";
import { outboxStoreCases } from "./testing/outbox_store_cases.ts";
import { MemoryOutboxStore } from "./memory_outbox_store.ts";

outboxStoreCases("MemoryOutboxStore", () => new MemoryOutboxStore());

Deno.test("MemoryOutboxStore: putting an id again replaces the entry in its place", () => {
  const store = new MemoryOutboxStore();
  store.put({ id: "a", type: "t" });
  store.put({ id: "b", type: "t" });
  store.put({ id: "a", type: "u" });
  assert.deepEqual(store.load(), [{ id: "a", type: "u" }, { id: "b", type: "t" }]);
  assert.equal(store.size, 2);
});
