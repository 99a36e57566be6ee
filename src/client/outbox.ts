import { idProblem } from "./protocol_rules.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { OutboxEntry } from "./outbox_store/outbox_store.ts";
import type { VeltrixClientError } from "./veltrix_client_error.ts";
import { encodeWireEvent } from "./wire_frame.ts";

/** One unacked event, and where it is on its way to the edge. */
export interface PendingEvent {
  /** The event as the store keeps it. */
  readonly entry: OutboxEntry;
  /** The event as it goes in a frame, written once. */
  readonly wire: string;
  /** Absent for entries recovered from the store: their promises were lost with the page. */
  readonly settle: { resolve(value: { id: string }): void; reject(error: VeltrixClientError): void } | undefined;
  /** Queued to go out, in flight on the connection, or waiting to be retried. */
  phase: "queued" | "inflight" | "waiting";
  /** How many times it went out in a frame. */
  transmissions: number;
  /** How many retryable rejects (or unreadable frames) it met. */
  retries: number;
  /** The retry timer while it is waiting. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A client's unacked events by id, oldest first, and the queue of those to go out on the open
 * connection, in order. It does not touch the store: the client keeps the two in step.
 */
export class Outbox {
  readonly #pending = new Map<string, PendingEvent>();
  readonly #queue = new Set<PendingEvent>();
  #drainWaiters: (() => void)[] = [];

  /** How many events are unacked. */
  get size(): number {
    return this.#pending.size;
  }

  /** How many events are queued to go out. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Whether an unacked event has this id. */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /** The unacked event with this id, if there is one. */
  get(id: string): PendingEvent | undefined {
    return this.#pending.get(id);
  }

  /** The unacked events, oldest first. */
  values(): IterableIterator<PendingEvent> {
    return this.#pending.values();
  }

  /** Takes a new event, the newest; {@link enqueue} sends it. */
  add(pending: PendingEvent): void {
    this.#pending.set(pending.entry.id, pending);
  }

  /** Queues an event to go out, after those queued already. */
  enqueue(pending: PendingEvent): void {
    this.#queue.add(pending);
  }

  /** Forgets an event (acked, or rejected for good) and stops its retry timer. */
  remove(pending: PendingEvent): void {
    this.#pending.delete(pending.entry.id);
    this.#queue.delete(pending);
    clearTimeout(pending.timer);
    pending.timer = undefined;
  }

  /** Forgets every event; {@link wakeDrainWaiters} then wakes those waiting. */
  clear(): void {
    this.#pending.clear();
    this.#queue.clear();
  }

  /** On a new connection: every unacked event is queued again, oldest first, before anything new. */
  requeueAll(): void {
    this.#queue.clear();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.timer = undefined;
      pending.phase = "queued";
      this.#queue.add(pending);
    }
  }

  /** On a lost connection: what was in flight counts as queued (the next connection sends it again). */
  abandonInflight(): void {
    for (const pending of this.#pending.values()) {
      if (pending.phase === "inflight") pending.phase = "queued";
    }
  }

  /**
   * Holds an event back, then queues it again and calls `onQueued`: after `retryAfterMs` when the
   * edge gave it, else after the backoff for its number of retries.
   */
  retryLater(
    pending: PendingEvent,
    retryAfterMs: number | undefined,
    backoff: BackoffOptions,
    onQueued: () => void,
  ): void {
    pending.phase = "waiting";
    pending.retries++;
    const delay = retryAfterMs ?? backoffDelay(pending.retries, backoff);
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      pending.phase = "queued";
      this.#queue.add(pending);
      onQueued();
    }, delay);
  }

  /** The first `max` queued events, in order; they stay queued until {@link markSent}. */
  nextBatch(max: number): PendingEvent[] {
    const batch: PendingEvent[] = [];
    for (const pending of this.#queue) {
      batch.push(pending);
      if (batch.length >= max) break;
    }
    return batch;
  }

  /** A queued event went out in a frame; true when it went for the first time. */
  markSent(pending: PendingEvent): boolean {
    this.#queue.delete(pending);
    pending.phase = "inflight";
    return pending.transmissions++ === 0;
  }

  /**
   * Puts entries loaded from the store at the head of the outbox, queued, skipping any that are
   * malformed or whose id is taken; returns the ones taken.
   */
  adopt(loaded: unknown): OutboxEntry[] {
    const recovered: OutboxEntry[] = [];
    const ordered = new Map<string, PendingEvent>();
    for (const entry of Array.isArray(loaded) ? (loaded as OutboxEntry[]) : []) {
      if (typeof entry?.type !== "string" || idProblem(entry.id) !== undefined) continue;
      if (ordered.has(entry.id) || this.#pending.has(entry.id)) continue;
      let wire: string;
      try {
        wire = encodeWireEvent(entry);
      } catch {
        continue;
      }
      ordered.set(entry.id, {
        entry,
        wire,
        settle: undefined,
        phase: "queued",
        transmissions: 1,
        retries: 0,
        timer: undefined,
      });
      recovered.push(entry);
    }
    if (recovered.length === 0) return recovered;
    for (const [id, pending] of this.#pending) ordered.set(id, pending);
    this.#pending.clear();
    this.#queue.clear();
    for (const [id, pending] of ordered) {
      this.#pending.set(id, pending);
      this.#queue.add(pending);
    }
    return recovered;
  }

  /** Settles once no event is unacked. */
  drained(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Wakes those waiting in {@link drained} if no event is unacked. */
  wakeDrainWaiters(): void {
    if (this.#pending.size > 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }
}
