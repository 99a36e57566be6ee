import type { OutboxEntry, OutboxStore } from "./outbox_store.ts";

/**
 * The default {@link OutboxStore}: entries live in memory only, so they survive reconnects but
 * not a reload. Sharing one instance between a closed client and a new one hands the unacked
 * entries over.
 *
 * @example
 * ```ts
 * import { MemoryOutboxStore } from "./memory_outbox_store.ts";
 *
 * const store = new MemoryOutboxStore();
 * store.put({ id: "e-1", type: "player.moved" });
 * store.load(); // [{ id: "e-1", type: "player.moved" }]
 * ```
 */
export class MemoryOutboxStore implements OutboxStore {
  readonly #entries = new Map<string, OutboxEntry>();

  /** Every entry kept, in the order they were first put. */
  load(): OutboxEntry[] {
    return [...this.#entries.values()];
  }

  /** Keeps `entry`; putting an id again replaces the entry but keeps its place. */
  put(entry: OutboxEntry): void {
    this.#entries.set(entry.id, entry);
  }

  /** Forgets the entry with this id. */
  delete(id: string): void {
    this.#entries.delete(id);
  }

  /** How many entries are kept. */
  get size(): number {
    return this.#entries.size;
  }
}
