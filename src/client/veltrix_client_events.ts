import type { OutboxEntry } from "./outbox_store/outbox_store.ts";
import type { VeltrixClientError } from "./veltrix_client_error.ts";
import type { VeltrixClientState } from "./veltrix_client_state.ts";

/** The events a client reports, with their listener arguments. */
export interface VeltrixClientEvents {
  /** The client moved to a new state. */
  state: [state: VeltrixClientState];
  /** The edge acked the event: Kafka has every record of it. */
  ack: [id: string];
  /** The edge rejected the event for good (a permanent code). */
  reject: [id: string, error: VeltrixClientError];
  /** Entries loaded from the store at start, to be resent; reported only when there are some. */
  recovered: [entries: OutboxEntry[]];
  /**
   * Something went wrong that no single `send()` is told about: a connection that failed to open
   * (`CONNECT_FAILED`), a token function that threw (`TOKEN_FAILED`), a store that threw
   * (`STORE_FAILED`), or a frame the edge could not read, or the client could not (its code, or
   * `INVALID_REPLY`). The client carries on.
   */
  error: [error: VeltrixClientError];
}

/** A listener of `event`. */
export type VeltrixClientListener<E extends keyof VeltrixClientEvents> = (...args: VeltrixClientEvents[E]) => void;

/**
 * A client's listeners by event. `emit()` calls each listener of an event in the order they were
 * added; a listener that throws does not disturb the others or the client: its error is rethrown
 * on its own, in a microtask.
 */
export class ClientEventListeners {
  readonly #listeners: { [E in keyof VeltrixClientEvents]: Set<VeltrixClientListener<E>> } = {
    state: new Set(),
    ack: new Set(),
    reject: new Set(),
    recovered: new Set(),
    error: new Set(),
  };

  /** Calls `listener` on each `event`; returns a function that stops it. */
  on<E extends keyof VeltrixClientEvents>(event: E, listener: VeltrixClientListener<E>): () => void {
    const listeners = this.#listeners[event];
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Calls every listener of `event` with `args`. */
  emit<E extends keyof VeltrixClientEvents>(event: E, ...args: VeltrixClientEvents[E]): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
