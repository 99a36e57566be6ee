import assert from "node:assert/strict";
import { StoreOperationQueue } from "./store_operation_queue.ts";

Deno.test("StoreOperationQueue runs a synchronous operation at once and has no tail after it", () => {
  const queue = new StoreOperationQueue((cause) => assert.fail(String(cause)));
  const ran: string[] = [];
  queue.run(() => void ran.push("put"));
  assert.deepEqual(ran, ["put"]);
  assert.equal(queue.tail, undefined);
});

Deno.test("StoreOperationQueue starts an operation only once the asynchronous one before it has settled", async () => {
  const queue = new StoreOperationQueue((cause) => assert.fail(String(cause)));
  const log: string[] = [];
  let finishPut!: () => void;
  queue.run(() => {
    log.push("put started");
    return new Promise<void>((resolve) => {
      finishPut = () => {
        log.push("put done");
        resolve();
      };
    });
  });
  queue.run(() => void log.push("delete"));
  await null;
  assert.deepEqual(log, ["put started"]);
  finishPut();
  await queue.tail;
  assert.deepEqual(log, ["put started", "put done", "delete"]);
});

Deno.test("StoreOperationQueue reports operations that throw or reject, and still runs the ones after them", async () => {
  const failures: unknown[] = [];
  const queue = new StoreOperationQueue((cause) => failures.push(cause));
  const log: string[] = [];
  queue.run(() => {
    throw new Error("sync");
  });
  queue.run(() => Promise.reject(new Error("async")));
  queue.run(() => void log.push("after"));
  await queue.tail;
  assert.deepEqual(failures.map((cause) => (cause as Error).message), ["sync", "async"]);
  assert.deepEqual(log, ["after"]);
});
