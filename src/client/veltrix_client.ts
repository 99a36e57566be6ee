import { idProblem } from "./protocol_rules.ts";
import { EdgeConnection } from "./edge_connection.ts";
import { FrameSender } from "./frame_sender.ts";
import { isThenable } from "./outbox_store/is_thenable.ts";
import type { JsonValue } from "./outbox_store/json_value.ts";
import { Outbox, type PendingEvent } from "./outbox.ts";
import type { OutboxEntry } from "./outbox_store/outbox_store.ts";
import { StoreOperationQueue } from "./outbox_store/store_operation_queue.ts";
import { causeMessage, isRetryableCode, VeltrixClientError } from "./veltrix_client_error.ts";
import { ClientEventListeners, type VeltrixClientEvents } from "./veltrix_client_events.ts";
import {
  type ClientSettings,
  resolveClientOptions,
  type SendOptions,
  type VeltrixClientOptions,
} from "./veltrix_client_options.ts";
import { isStateChange, type VeltrixClientState } from "./veltrix_client_state.ts";
import { type VeltrixClientStats, zeroStats } from "./veltrix_client_stats.ts";
import { waitWithin } from "./wait_within.ts";
import { decodeReplyFrame, encodeWireEvent, type WireReject } from "./wire_frame.ts";

export type { VeltrixClientEvents } from "./veltrix_client_events.ts";
export type { SendOptions, VeltrixClientOptions } from "./veltrix_client_options.ts";
export type { VeltrixClientState } from "./veltrix_client_state.ts";
export type { VeltrixClientStats } from "./veltrix_client_stats.ts";

/**
 * A game client's connection to Veltrix. `send()` puts an event in the outbox and resolves once
 * the edge acks it (Kafka has every record). Until then the event stays in the outbox (and the
 * store): it is resent with the same id after a retryable reject, and on every reconnect all
 * unacked events are resent, oldest first, before new ones. Delivery is at least once; consumers
 * that dedupe on the `veltrix-event-id` header see each event once.
 *
 * @example
 * ```ts ignore
 * import WebSocket from "npm:ws";
 * import { VeltrixClient } from "./veltrix_client.ts";
 *
 * const client = new VeltrixClient({
 *   url: "ws://127.0.0.1:8787/v1/ingest",
 *   token: () => fetch("/token").then((response) => response.text()),
 *   WebSocket,
 * });
 * client.on("state", (state) => console.log("veltrix", state));
 * await client.send("treasure.collected", { chest: 7, gold: 40 });
 * const { unacked } = await client.close();
 * ```
 */
export class VeltrixClient {
  readonly #settings: ClientSettings;
  readonly #idFactory: () => string;
  /** Unacked events by id, oldest first, and the queue of those to go out. */
  readonly #outbox = new Outbox();
  readonly #listeners = new ClientEventListeners();
  readonly #stats: VeltrixClientStats = zeroStats();
  #state: VeltrixClientState = "connecting";
  readonly #connection: EdgeConnection;
  readonly #sender: FrameSender;
  readonly #storeOps: StoreOperationQueue;
  readonly #ready: Promise<void>;
  #closing: Promise<{ unacked: OutboxEntry[] }> | undefined;

  /**
   * Loads the store, then connects. Throws a TypeError for a URL that does not parse or when no
   * WebSocket class is given and the runtime has none, and a RangeError for a bad bound.
   */
  constructor(options: VeltrixClientOptions) {
    this.#settings = resolveClientOptions(options);
    this.#idFactory = this.#settings.idFactory;
    this.#storeOps = new StoreOperationQueue((cause) => this.#storeFailed(cause));
    this.#connection = new EdgeConnection(this.#settings, {
      isClosed: () => this.#closed(),
      onOpen: (reconnected) => this.#onOpen(reconnected),
      onMessage: (data) => this.#onMessage(data),
      onLost: () => {
        this.#sender.cancel();
        this.#outbox.abandonInflight();
      },
      onError: (error) => this.#emit("error", error),
      onReconnecting: () => this.#setState("reconnecting"),
    });
    this.#sender = new FrameSender(this.#outbox, this.#stats, this.#settings, () => this.#connection.openSocket);
    this.#ready = this.#recover();
    void this.#ready.then(() => this.#connection.connect());
  }

  /** Where the client is: `connecting`, `open`, `reconnecting`, `closing` or `closed`. */
  get state(): VeltrixClientState {
    return this.#state;
  }

  /** Events not yet acked or rejected for good, recovered ones included. */
  get outboxDepth(): number {
    return this.#outbox.size;
  }

  /** A copy of the counters. */
  get stats(): VeltrixClientStats {
    return { ...this.#stats };
  }

  /**
   * Sends an event of `type` with optional `data`. Resolves with its id once the edge acks it.
   * Rejects with a {@link VeltrixClientError}: the edge's code on a permanent reject (e.g.
   * `INVALID_EVENT`, `NO_ROUTE`, `SCHEMA_VIOLATION`); `OUTBOX_FULL` when `maxOutbox` events are unacked; `CLOSED` when
   * the client is closing, or closed before the ack; `INVALID_EVENT` when the id factory gave an
   * unusable id or `data` cannot be written as JSON. Retryable rejects are retried, not reported.
   *
   * The type is checked by the edge, which alone knows the rules in force. `options.traceparent`
   * (and `tracestate`) carry the W3C trace context of the span that sent the event; the edge copies
   * a valid one to the event's Kafka records and drops an invalid one.
   */
  send(type: string, data?: JsonValue, options: SendOptions = {}): Promise<{ id: string }> {
    if (this.#state === "closing" || this.#state === "closed") {
      return Promise.reject(new VeltrixClientError("CLOSED", "the client is closing and takes no new events"));
    }
    if (this.#outbox.size >= this.#settings.maxOutbox) {
      return Promise.reject(
        new VeltrixClientError("OUTBOX_FULL", `the outbox holds ${this.#outbox.size} unacked events, its limit`),
      );
    }
    let entry: OutboxEntry;
    let wire: string;
    try {
      const id = this.#idFactory();
      const problem = idProblem(id) ?? (this.#outbox.has(id) ? "id is already in the outbox" : undefined);
      if (problem !== undefined) {
        return Promise.reject(new VeltrixClientError("INVALID_EVENT", problem, { id: String(id) }));
      }
      entry = data === undefined ? { id, type, firstSentAt: Date.now() } : { id, type, data, firstSentAt: Date.now() };
      if (options.traceparent !== undefined) {
        entry.traceparent = options.traceparent;
        if (options.tracestate !== undefined) entry.tracestate = options.tracestate;
      }
      wire = encodeWireEvent(entry);
    } catch (cause) {
      return Promise.reject(
        new VeltrixClientError("INVALID_EVENT", `the event cannot be written: ${causeMessage(cause)}`, { cause }),
      );
    }
    return new Promise((resolve, reject) => {
      const pending: PendingEvent = {
        entry,
        wire,
        settle: { resolve, reject },
        phase: "queued",
        transmissions: 0,
        retries: 0,
        timer: undefined,
      };
      this.#outbox.add(pending);
      this.#storeOps.run(() => this.#settings.store.put(entry));
      this.#outbox.enqueue(pending);
      this.#sender.schedule(this.#state === "closing");
    });
  }

  /**
   * Calls `listener` on each `event`; returns a function that stops it. A listener that throws
   * does not disturb the client (the error is rethrown on its own).
   *
   * @example
   * ```ts ignore
   * const stop = client.on("reject", (id, error) => console.warn(id, error.code));
   * stop();
   * ```
   */
  on<E extends keyof VeltrixClientEvents>(event: E, listener: (...args: VeltrixClientEvents[E]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /**
   * Stops taking new events, waits up to `flushTimeoutMs` for every unacked event to be acked or
   * rejected (still reconnecting if need be), then closes the connection. Resolves with the
   * events still unacked, whose `send()` promises reject with `CLOSED`. They also stay in the
   * store, so a client made later on the same store resends them (same ids). Calling it again
   * returns the same promise.
   *
   * @param options.flushTimeoutMs How long to wait for the outbox to drain. @default 5000
   */
  close(options: { flushTimeoutMs?: number } = {}): Promise<{ unacked: OutboxEntry[] }> {
    this.#closing ??= this.#shutDown(options.flushTimeoutMs ?? 5000);
    return this.#closing;
  }

  async #shutDown(flushTimeoutMs: number): Promise<{ unacked: OutboxEntry[] }> {
    this.#setState("closing");
    this.#sender.flush();
    await waitWithin(this.#ready.then(() => this.#outbox.drained()), flushTimeoutMs);
    this.#setState("closed");

    this.#sender.cancel();
    const socketGone = this.#connection.close();
    if (socketGone !== undefined) await socketGone;

    const unacked: OutboxEntry[] = [];
    for (const pending of this.#outbox.values()) {
      clearTimeout(pending.timer);
      unacked.push(pending.entry);
      pending.settle?.reject(
        new VeltrixClientError("CLOSED", "the client closed before the edge acked the event", { id: pending.entry.id }),
      );
    }
    this.#outbox.clear();
    this.#outbox.wakeDrainWaiters();
    await this.#storeOps.tail;
    return { unacked };
  }

  /**
   * Loads the store into the outbox: at once when the store answers synchronously (so the
   * recovered events are the oldest), else once it answers, ahead of anything sent meanwhile.
   */
  async #recover(): Promise<void> {
    let loaded: OutboxEntry[] | Promise<OutboxEntry[]>;
    try {
      loaded = this.#settings.store.load();
    } catch (cause) {
      await null;
      this.#storeFailed(cause);
      return;
    }
    if (isThenable(loaded)) {
      const loading = Promise.resolve(loaded).catch((cause) => {
        this.#storeFailed(cause);
        return [];
      });
      this.#storeOps.track(loading.then(() => {}));
      loaded = await loading;
    }
    const recovered = this.#outbox.adopt(loaded);
    await null; // Report after the caller has had the chance to subscribe.
    if (recovered.length > 0) this.#emit("recovered", recovered);
  }

  #onOpen(reconnected: boolean): void {
    if (reconnected) this.#stats.reconnects++;
    // Every unacked event goes again, oldest first, before anything new.
    this.#outbox.requeueAll();
    this.#sender.flush();
    this.#setState("open");
  }

  #onMessage(data: unknown): void {
    let reply;
    try {
      if (typeof data !== "string") throw new TypeError("reply is not a text frame");
      reply = decodeReplyFrame(data);
    } catch (cause) {
      this.#emit(
        "error",
        new VeltrixClientError("INVALID_REPLY", `unreadable reply: ${causeMessage(cause)}`, { cause }),
      );
      return;
    }
    this.#connection.markHeardBack();
    for (const id of reply.acks) this.#onAck(id);
    for (const reject of reply.rejects) this.#onReject(reject);
    if (reply.error !== undefined) this.#onFrameError(reply.error);
    if (reply.session !== undefined) this.#connection.onSession(reply.session.expiresAt);
  }

  #onAck(id: string): void {
    const pending = this.#outbox.get(id);
    if (pending === undefined) return;
    this.#remove(pending);
    this.#stats.acked++;
    pending.settle?.resolve({ id });
    this.#emit("ack", id);
    this.#outbox.wakeDrainWaiters();
  }

  #onReject(reject: WireReject): void {
    const pending = this.#outbox.get(reject.id);
    if (pending === undefined) return;
    if (isRetryableCode(reject.code)) {
      if (pending.phase === "inflight") this.#retryLater(pending, reject.retryAfterMs);
      return;
    }
    this.#remove(pending);
    this.#stats.rejected++;
    const error = new VeltrixClientError(reject.code, reject.message, { id: reject.id, retryable: false });
    pending.settle?.reject(error);
    this.#emit("reject", reject.id, error);
    this.#outbox.wakeDrainWaiters();
  }

  /**
   * The edge could not read a frame. The reply does not say which one, so every event still in
   * flight on this connection is resent after a backoff (resending is safe: ids are kept).
   */
  #onFrameError(error: { code: string; message: string }): void {
    this.#emit(
      "error",
      new VeltrixClientError(error.code, `the edge could not read a frame: ${error.message}`, { retryable: false }),
    );
    for (const pending of this.#outbox.values()) {
      if (pending.phase === "inflight") this.#retryLater(pending, undefined);
    }
  }

  #retryLater(pending: PendingEvent, retryAfterMs: number | undefined): void {
    this.#outbox.retryLater(
      pending,
      retryAfterMs,
      this.#settings.backoff,
      () => this.#sender.schedule(this.#state === "closing"),
    );
  }

  #remove(pending: PendingEvent): void {
    this.#outbox.remove(pending);
    this.#storeOps.run(() => this.#settings.store.delete(pending.entry.id));
  }

  /** A method, not a field read, so that checks after an `await` are not narrowed away. */
  #closed(): boolean {
    return this.#state === "closed";
  }

  #setState(state: VeltrixClientState): void {
    if (!isStateChange(this.#state, state)) return;
    this.#state = state;
    this.#emit("state", state);
  }

  #emit<E extends keyof VeltrixClientEvents>(event: E, ...args: VeltrixClientEvents[E]): void {
    this.#listeners.emit(event, ...args);
  }

  #storeFailed(cause: unknown): void {
    this.#emit(
      "error",
      new VeltrixClientError("STORE_FAILED", `the outbox store failed: ${causeMessage(cause)}`, { cause }),
    );
  }
}
