/**
 * The outbox contract: where a client keeps the events it has not yet seen acked, so that they
 * can be resent (same ids) after a reconnect or, with a persistent store, after a reload.
 *
 * @module
 */

import type { JsonValue } from "./json_value.ts";

/** One event the client is responsible for until the edge acks it or rejects it for good. */
export interface OutboxEntry {
  /** The event id, 1 to 64 characters; the edge and consumers dedupe on it. */
  id: string;
  /** The event type, routed by the edge (1 to 128 characters of `[a-z0-9._-]`). */
  type: string;
  /** Any JSON value, or absent. */
  data?: JsonValue;
  /** The W3C traceparent passed to `send()`, or absent. */
  traceparent?: string;
  /** The W3C tracestate passed to `send()`, or absent. */
  tracestate?: string;
  /** When `send()` took the event, in ms since the epoch. */
  firstSentAt?: number;
}

/**
 * Keeps outbox entries. The client calls `put` when `send()` takes an event and `delete` once the
 * event is acked or rejected for good, one call at a time and in that order; `load` once, at
 * start, and resends whatever it returns, in the order returned (oldest first).
 *
 * Each method may answer synchronously or with a promise.
 *
 * @example
 * ```ts
 * import type { OutboxEntry, OutboxStore } from "./outbox_store.ts";
 *
 * class LoggingStore implements OutboxStore {
 *   readonly #entries = new Map<string, OutboxEntry>();
 *   load(): OutboxEntry[] {
 *     return [...this.#entries.values()];
 *   }
 *   put(entry: OutboxEntry): void {
 *     this.#entries.set(entry.id, entry);
 *   }
 *   delete(id: string): void {
 *     this.#entries.delete(id);
 *   }
 * }
 * ```
 */
export interface OutboxStore {
  /** Every entry kept, oldest first. */
  load(): OutboxEntry[] | Promise<OutboxEntry[]>;
  /** Keeps `entry` until `delete(entry.id)`. */
  put(entry: OutboxEntry): void | Promise<void>;
  /** Forgets the entry with this id; a no-op when there is none. */
  delete(id: string): void | Promise<void>;
}
