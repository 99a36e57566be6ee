import assert from "node:assert/strict";
import { MemoryStorage } from "./testing/memory_storage.ts";
import { outboxStoreCases } from "./testing/outbox_store_cases.ts";
import { WebStorageOutboxStore } from "./web_storage_outbox_store.ts";

outboxStoreCases("WebStorageOutboxStore", () => new WebStorageOutboxStore(new MemoryStorage()));

Deno.test("WebStorageOutboxStore keeps each entry as one item under <key>:<id>", () => {
  const storage = new MemoryStorage();
  const store = new WebStorageOutboxStore(storage, "game");
  store.put({ id: "e-1", type: "player.moved" });
  store.put({ id: "e-2", type: "player.moved" });
  assert.deepEqual(storage.keys(), ["game:e-1", "game:e-2"]);
  store.delete("e-1");
  assert.deepEqual(storage.keys(), ["game:e-2"]);
});

Deno.test("WebStorageOutboxStore survives a reload: a new store on the same storage loads the entries in order", () => {
  const storage = new MemoryStorage();
  const before = new WebStorageOutboxStore(storage);
  for (const id of ["z", "m", "a"]) before.put({ id, type: "player.moved", data: { id } });
  const after = new WebStorageOutboxStore(storage);
  assert.deepEqual(after.load().map((entry) => entry.id), ["z", "m", "a"]);
  after.put({ id: "b", type: "player.moved" });
  assert.deepEqual(new WebStorageOutboxStore(storage).load().map((entry) => entry.id), ["z", "m", "a", "b"]);
});

Deno.test("WebStorageOutboxStore orders entries put before any load after those already stored", () => {
  const storage = new MemoryStorage();
  new WebStorageOutboxStore(storage).put({ id: "old", type: "t" });
  new WebStorageOutboxStore(storage).put({ id: "new", type: "t" });
  assert.deepEqual(new WebStorageOutboxStore(storage).load().map((entry) => entry.id), ["old", "new"]);
});

Deno.test("WebStorageOutboxStore ignores other keys and skips unreadable items", () => {
  const storage = new MemoryStorage();
  storage.setItem("unrelated", "{}");
  storage.setItem("veltrix.outbox.other:x", JSON.stringify({ s: 0, e: { id: "x", type: "t" } }));
  storage.setItem("veltrix.outbox:bad-json", "{");
  storage.setItem("veltrix.outbox:no-type", JSON.stringify({ s: 1, e: { id: "no-type" } }));
  storage.setItem("veltrix.outbox:wrong-id", JSON.stringify({ s: 2, e: { id: "other", type: "t" } }));
  storage.setItem("veltrix.outbox:good", JSON.stringify({ s: 3, e: { id: "good", type: "t" } }));
  assert.deepEqual(new WebStorageOutboxStore(storage).load(), [{ id: "good", type: "t" }]);
});

Deno.test("WebStorageOutboxStore.put() throws what setItem throws, e.g. a full quota", () => {
  const storage = new MemoryStorage();
  storage.failWrites = new Error("QuotaExceededError");
  assert.throws(() => new WebStorageOutboxStore(storage).put({ id: "a", type: "t" }), /QuotaExceededError/);
});
