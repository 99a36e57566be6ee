import type { StorageLike } from "../web_storage_outbox_store.ts";

/** Test helper: a Web Storage (`localStorage`-like) that lives in a Map. */
export class MemoryStorage implements StorageLike {
  readonly #items = new Map<string, string>();
  /** When set, `setItem` throws it, as a full quota does. */
  failWrites: Error | undefined;

  get length(): number {
    return this.#items.size;
  }

  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    if (this.failWrites) throw this.failWrites;
    this.#items.set(key, String(value));
  }

  removeItem(key: string): void {
    this.#items.delete(key);
  }

  /** Every key held, for assertions. */
  keys(): string[] {
    return [...this.#items.keys()];
  }
}
