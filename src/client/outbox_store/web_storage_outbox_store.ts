import type { OutboxEntry, OutboxStore } from "./outbox_store.ts";

/** The part of the Web Storage API (`localStorage`, `sessionStorage`) the store uses. */
export interface StorageLike {
  /** How many items are stored. */
  readonly length: number;
  /** The name of item `index`, or null past the end. */
  key(index: number): string | null;
  /** The value of an item, or null. */
  getItem(key: string): string | null;
  /** Stores an item; may throw when the quota is full. */
  setItem(key: string, value: string): void;
  /** Removes an item. */
  removeItem(key: string): void;
}

interface StoredRecord {
  /** Order of the put, so that load returns the oldest first. */
  s: number;
  e: OutboxEntry;
}

/**
 * An {@link OutboxStore} over Web Storage, so unacked events survive a tab reload: a client
 * created on the same storage and key loads them at start and resends them with their ids.
 *
 * Each entry is one storage item, `<key>:<id>`, so a put or a delete costs one small write
 * whatever the outbox holds. Use one key per live client: `sessionStorage` is per tab and
 * survives a reload; `localStorage` also survives closing the tab, but is shared by every tab of
 * the origin. A `setItem` that fails (storage full) surfaces as the client's `"error"` event with
 * code `STORE_FAILED`; the event is still sent.
 *
 * @example
 * ```ts ignore
 * import { VeltrixClient } from "../veltrix_client.ts";
 * import { WebStorageOutboxStore } from "./web_storage_outbox_store.ts";
 *
 * const client = new VeltrixClient({
 *   url: "wss://edge.example.com/v1/ingest",
 *   token: () => fetchToken(),
 *   store: new WebStorageOutboxStore(sessionStorage),
 * });
 * ```
 */
export class WebStorageOutboxStore implements OutboxStore {
  readonly #storage: StorageLike;
  readonly #prefix: string;
  #nextSeq: number | undefined;

  /**
   * A store over `storage`, keeping its items under `key`.
   *
   * @param storage Where entries are kept, e.g. `localStorage` or `sessionStorage`.
   * @param key Prefix of the storage items. @default "veltrix.outbox"
   */
  constructor(storage: StorageLike, key = "veltrix.outbox") {
    this.#storage = storage;
    this.#prefix = `${key}:`;
  }

  /** Every entry under this store's key, oldest first; unreadable items are skipped. */
  load(): OutboxEntry[] {
    const records = this.#records();
    this.#nextSeq = records.reduce((max, record) => Math.max(max, record.s + 1), 0);
    return records.sort((a, b) => a.s - b.s).map((record) => record.e);
  }

  /** Writes `entry` as one storage item; throws what `setItem` throws (e.g. the quota is full). */
  put(entry: OutboxEntry): void {
    this.#nextSeq ??= this.#records().reduce((max, record) => Math.max(max, record.s + 1), 0);
    const record: StoredRecord = { s: this.#nextSeq++, e: entry };
    this.#storage.setItem(this.#prefix + entry.id, JSON.stringify(record));
  }

  /** Removes the entry's storage item. */
  delete(id: string): void {
    this.#storage.removeItem(this.#prefix + id);
  }

  #records(): StoredRecord[] {
    const records: StoredRecord[] = [];
    for (let i = 0; i < this.#storage.length; i++) {
      const name = this.#storage.key(i);
      if (name === null || !name.startsWith(this.#prefix)) continue;
      const record = _parseRecord(this.#storage.getItem(name), name.slice(this.#prefix.length));
      if (record !== undefined) records.push(record);
    }
    return records;
  }
}

function _parseRecord(text: string | null, id: string): StoredRecord | undefined {
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { s, e } = value as { s?: unknown; e?: unknown };
  if (typeof s !== "number" || typeof e !== "object" || e === null) return undefined;
  const entry = e as Partial<OutboxEntry>;
  if (entry.id !== id || typeof entry.type !== "string") return undefined;
  return { s, e: entry as OutboxEntry };
}
