import { eventIdProblem } from "../core/event_constraints.ts";
import { backoffDelay, type BackoffOptions, DEFAULT_INITIAL_DELAY_MS } from "./backoff.ts";
import type { JsonValue } from "./json_value.ts";
import { MemoryOutboxStore } from "./memory_outbox_store.ts";
import type { OutboxEntry, OutboxStore } from "./outbox_store.ts";
import { uuidv7 } from "./uuidv7.ts";
import { isRetryableCode, VeltrixClientError } from "./veltrix_client_error.ts";
import type { WebSocketConstructor, WebSocketLike } from "./websocket_like.ts";
import { decodeReplyFrame, encodeEventFrame, encodeWireEvent, type WireReject } from "./wire_frame.ts";

/** Where a client is in its life. */
export type VeltrixClientState = "connecting" | "open" | "reconnecting" | "closing" | "closed";

/** Counters since the client was made. */
export interface VeltrixClientStats {
  /** Events sent for the first time. */
  sent: number;
  /** Events the edge acked. */
  acked: number;
  /** Events the edge rejected for good. */
  rejected: number;
  /** Sends of an event already sent once: after a retryable reject, a reconnect, or a reload. */
  resent: number;
  /** Connections opened after the first one. */
  reconnects: number;
}

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

/** How to reach the edge, and the client's bounds. */
export interface VeltrixClientOptions {
  /** The edge's ingest URL, e.g. `ws://127.0.0.1:8787/v1/ingest`; `?token=` is added to it. */
  url: string;
  /** The player's JWT, or a function giving it; a function is called again on each (re)connect. */
  token: string | (() => string | Promise<string>);
  /**
   * The WebSocket class. In Deno, pass npm `ws`'s (`import WebSocket from "npm:ws"`): Deno's own
   * client does not set TCP_NODELAY, so frames over about 1 KB stall about 40 ms.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /** Events sent within this many ms of the first unsent one go out in one frame. @default 5 */
  batchWindowMs?: number;
  /** Most events in one frame. @default 100 */
  maxBatchEvents?: number;
  /** Most unacked events held; past it `send()` rejects with `OUTBOX_FULL`. @default 10000 */
  maxOutbox?: number;
  /** Where unacked events are kept. @default new MemoryOutboxStore() */
  store?: OutboxStore;
  /** Reconnect backoff (exponential, full jitter). @default { initialDelayMs: 250, maxDelayMs: 10000 } */
  reconnect?: BackoffOptions;
  /** Makes event ids (1 to 64 characters, unique among unacked events). @default uuidv7 */
  idFactory?: () => string;
}

interface _Pending {
  readonly entry: OutboxEntry;
  /** The event as it goes in a frame, written once. */
  readonly wire: string;
  /** Absent for entries recovered from the store: their promises were lost with the page. */
  readonly settle: { resolve(value: { id: string }): void; reject(error: VeltrixClientError): void } | undefined;
  phase: "queued" | "inflight" | "waiting";
  transmissions: number;
  retries: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type _Listeners = { [E in keyof VeltrixClientEvents]: Set<(...args: VeltrixClientEvents[E]) => void> };

const OPEN = 1;
/** A connection not open after this long counts as a failed attempt. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A connection open this long (or that got a reply) resets the backoff when it ends. */
const STABLE_CONNECTION_MS = 1_000;
/** How long `close()` waits for the socket's close handshake. */
const CLOSE_WAIT_MS = 1_000;
/** Close codes of an edge going away on purpose: reconnect promptly instead of backing off. */
const PROMPT_RECONNECT_CODES: ReadonlySet<number> = new Set([1001, 1012]);

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
  readonly #url: URL;
  readonly #token: string | (() => string | Promise<string>);
  readonly #WebSocket: WebSocketConstructor;
  readonly #batchWindowMs: number;
  readonly #maxBatchEvents: number;
  readonly #maxOutbox: number;
  readonly #store: OutboxStore;
  readonly #backoff: BackoffOptions;
  readonly #idFactory: () => string;

  /** Unacked events by id, oldest first. */
  readonly #outbox = new Map<string, _Pending>();
  /** Events to go out on the open connection, in order. */
  readonly #queue = new Set<_Pending>();
  readonly #listeners: _Listeners = {
    state: new Set(),
    ack: new Set(),
    reject: new Set(),
    recovered: new Set(),
    error: new Set(),
  };
  readonly #stats: VeltrixClientStats = { sent: 0, acked: 0, rejected: 0, resent: 0, reconnects: 0 };
  #state: VeltrixClientState = "connecting";

  #socket: WebSocketLike | undefined;
  #socketOpen = false;
  #openedAt = 0;
  #heardBack = false;
  #everOpened = false;
  /** Failed attempts since the last stable connection. */
  #attempts = 0;

  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #drainWaiters: (() => void)[] = [];
  /** The last store operation; the next one waits for it, so puts and deletes land in order. */
  #storeTail: Promise<void> | undefined;
  readonly #ready: Promise<void>;
  #closing: Promise<{ unacked: OutboxEntry[] }> | undefined;

  /**
   * Loads the store, then connects. Throws a TypeError for a URL that does not parse or when no
   * WebSocket class is given and the runtime has none, and a RangeError for a bad bound.
   */
  constructor(options: VeltrixClientOptions) {
    this.#url = new URL(options.url);
    this.#token = options.token;
    const NativeWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const WebSocketClass = options.WebSocket ?? NativeWebSocket;
    if (WebSocketClass === undefined) {
      throw new TypeError("this runtime has no WebSocket: pass one as options.WebSocket (e.g. npm:ws)");
    }
    this.#WebSocket = WebSocketClass;
    this.#batchWindowMs = _bound("batchWindowMs", options.batchWindowMs ?? 5, 0);
    this.#maxBatchEvents = _bound("maxBatchEvents", options.maxBatchEvents ?? 100, 1);
    this.#maxOutbox = _bound("maxOutbox", options.maxOutbox ?? 10_000, 1);
    this.#backoff = {
      initialDelayMs: _bound("reconnect.initialDelayMs", options.reconnect?.initialDelayMs ?? 250, 0),
      maxDelayMs: _bound("reconnect.maxDelayMs", options.reconnect?.maxDelayMs ?? 10_000, 0),
    };
    this.#store = options.store ?? new MemoryOutboxStore();
    this.#idFactory = options.idFactory ?? uuidv7;
    this.#ready = this.#recover();
    void this.#ready.then(() => this.#connect());
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
   * `INVALID_EVENT`, `NO_ROUTE`); `OUTBOX_FULL` when `maxOutbox` events are unacked; `CLOSED` when
   * the client is closing, or closed before the ack; `INVALID_EVENT` when the id factory gave an
   * unusable id or `data` cannot be written as JSON. Retryable rejects are retried, not reported.
   *
   * The type is checked by the edge, which alone knows the rules in force.
   */
  send(type: string, data?: JsonValue): Promise<{ id: string }> {
    if (this.#state === "closing" || this.#state === "closed") {
      return Promise.reject(new VeltrixClientError("CLOSED", "the client is closing and takes no new events"));
    }
    if (this.#outbox.size >= this.#maxOutbox) {
      return Promise.reject(
        new VeltrixClientError("OUTBOX_FULL", `the outbox holds ${this.#outbox.size} unacked events, its limit`),
      );
    }
    let entry: OutboxEntry;
    let wire: string;
    try {
      const id = this.#idFactory();
      const problem = eventIdProblem(id) ?? (this.#outbox.has(id) ? "id is already in the outbox" : undefined);
      if (problem !== undefined) {
        return Promise.reject(new VeltrixClientError("INVALID_EVENT", problem, { id: String(id) }));
      }
      entry = data === undefined ? { id, type, firstSentAt: Date.now() } : { id, type, data, firstSentAt: Date.now() };
      wire = encodeWireEvent(entry);
    } catch (cause) {
      return Promise.reject(
        new VeltrixClientError("INVALID_EVENT", `the event cannot be written: ${_message(cause)}`, { cause }),
      );
    }
    return new Promise((resolve, reject) => {
      const pending: _Pending = {
        entry,
        wire,
        settle: { resolve, reject },
        phase: "queued",
        transmissions: 0,
        retries: 0,
        timer: undefined,
      };
      this.#outbox.set(entry.id, pending);
      this.#storeOp(() => this.#store.put(entry));
      this.#queue.add(pending);
      this.#scheduleFlush();
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
    const listeners = this.#listeners[event];
    listeners.add(listener);
    return () => listeners.delete(listener);
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
    this.#flush();
    await _within(this.#ready.then(() => this.#drained()), flushTimeoutMs);
    this.#setState("closed");

    clearTimeout(this.#flushTimer);
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#connectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketOpen = false;
    if (socket !== undefined) {
      const gone = new Promise<void>((resolve) => {
        socket.onclose = () => resolve();
        socket.onerror = () => resolve();
      });
      try {
        socket.close(1000, "client closed");
      } catch {
        // Already closing.
      }
      await _within(gone, CLOSE_WAIT_MS);
    }

    const unacked: OutboxEntry[] = [];
    for (const pending of this.#outbox.values()) {
      clearTimeout(pending.timer);
      unacked.push(pending.entry);
      pending.settle?.reject(
        new VeltrixClientError("CLOSED", "the client closed before the edge acked the event", { id: pending.entry.id }),
      );
    }
    this.#outbox.clear();
    this.#queue.clear();
    this.#wakeDrainWaiters();
    await this.#storeTail;
    return { unacked };
  }

  /**
   * Loads the store into the outbox: at once when the store answers synchronously (so the
   * recovered events are the oldest), else once it answers, ahead of anything sent meanwhile.
   */
  async #recover(): Promise<void> {
    let loaded: OutboxEntry[] | Promise<OutboxEntry[]>;
    try {
      loaded = this.#store.load();
    } catch (cause) {
      await null;
      this.#storeFailed(cause);
      return;
    }
    if (_isThenable(loaded)) {
      const loading = Promise.resolve(loaded).catch((cause) => {
        this.#storeFailed(cause);
        return [];
      });
      this.#track(loading.then(() => {}));
      loaded = await loading;
    }
    const recovered = this.#adopt(loaded);
    await null; // Report after the caller has had the chance to subscribe.
    if (recovered.length > 0) this.#emit("recovered", recovered);
  }

  /** Puts loaded entries at the head of the outbox; returns the ones taken. */
  #adopt(loaded: unknown): OutboxEntry[] {
    const recovered: OutboxEntry[] = [];
    const ordered = new Map<string, _Pending>();
    for (const entry of Array.isArray(loaded) ? (loaded as OutboxEntry[]) : []) {
      if (typeof entry?.type !== "string" || eventIdProblem(entry.id) !== undefined) continue;
      if (ordered.has(entry.id) || this.#outbox.has(entry.id)) continue;
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
    for (const [id, pending] of this.#outbox) ordered.set(id, pending);
    this.#outbox.clear();
    this.#queue.clear();
    for (const [id, pending] of ordered) {
      this.#outbox.set(id, pending);
      this.#queue.add(pending);
    }
    return recovered;
  }

  async #connect(): Promise<void> {
    this.#reconnectTimer = undefined;
    if (this.#closed()) return;
    let token: string;
    try {
      token = typeof this.#token === "function" ? await this.#token() : this.#token;
    } catch (cause) {
      if (this.#closed()) return;
      this.#emit(
        "error",
        new VeltrixClientError("TOKEN_FAILED", `the token function failed: ${_message(cause)}`, { cause }),
      );
      this.#retryConnect(false, 1006);
      return;
    }
    if (this.#closed()) return;
    const url = new URL(this.#url);
    url.searchParams.set("token", token);
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(url.href);
    } catch (cause) {
      this.#emit(
        "error",
        new VeltrixClientError("CONNECT_FAILED", `cannot open ${this.#url.href}: ${_message(cause)}`, { cause }),
      );
      this.#retryConnect(false, 1006);
      return;
    }
    this.#socket = socket;
    this.#socketOpen = false;
    this.#heardBack = false;
    this.#connectTimer = setTimeout(() => this.#onGone(socket, 1006), CONNECT_TIMEOUT_MS);
    socket.onopen = () => this.#onOpen(socket);
    socket.onmessage = (event: { data: unknown }) => this.#onMessage(socket, event.data);
    socket.onclose = (event: { code?: number }) => this.#onGone(socket, event.code ?? 1006);
    socket.onerror = () => this.#onGone(socket, 1006);
  }

  #onOpen(socket: WebSocketLike): void {
    if (socket !== this.#socket) return;
    clearTimeout(this.#connectTimer);
    this.#socketOpen = true;
    this.#openedAt = Date.now();
    if (this.#everOpened) this.#stats.reconnects++;
    this.#everOpened = true;
    // Every unacked event goes again, oldest first, before anything new.
    this.#queue.clear();
    for (const pending of this.#outbox.values()) {
      clearTimeout(pending.timer);
      pending.timer = undefined;
      pending.phase = "queued";
      this.#queue.add(pending);
    }
    this.#flush();
    this.#setState("open");
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket) return;
    let reply;
    try {
      if (typeof data !== "string") throw new TypeError("reply is not a text frame");
      reply = decodeReplyFrame(data);
    } catch (cause) {
      this.#emit("error", new VeltrixClientError("INVALID_REPLY", `unreadable reply: ${_message(cause)}`, { cause }));
      return;
    }
    this.#heardBack = true;
    for (const id of reply.acks) this.#onAck(id);
    for (const reject of reply.rejects) this.#onReject(reject);
    if (reply.error !== undefined) this.#onFrameError(reply.error);
  }

  #onAck(id: string): void {
    const pending = this.#outbox.get(id);
    if (pending === undefined) return;
    this.#remove(pending);
    this.#stats.acked++;
    pending.settle?.resolve({ id });
    this.#emit("ack", id);
    this.#wakeDrainWaiters();
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
    this.#wakeDrainWaiters();
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

  #retryLater(pending: _Pending, retryAfterMs: number | undefined): void {
    pending.phase = "waiting";
    pending.retries++;
    const delay = retryAfterMs ?? backoffDelay(pending.retries, this.#backoff);
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      pending.phase = "queued";
      this.#queue.add(pending);
      this.#scheduleFlush();
    }, delay);
  }

  #onGone(socket: WebSocketLike, code: number): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const wasOpen = this.#socketOpen;
    this.#socketOpen = false;
    try {
      socket.close();
    } catch {
      // Already closed.
    }
    for (const pending of this.#outbox.values()) {
      if (pending.phase === "inflight") pending.phase = "queued";
    }
    if (this.#closed()) return;
    if (!wasOpen) {
      this.#emit("error", new VeltrixClientError("CONNECT_FAILED", `could not open a connection to ${this.#url.href}`));
    }
    this.#retryConnect(wasOpen, code);
  }

  #retryConnect(wasOpen: boolean, code: number): void {
    if (this.#closed()) return;
    let delay: number;
    if (wasOpen && PROMPT_RECONNECT_CODES.has(code)) {
      // The edge is going away on purpose: come back at once, spread by a little jitter.
      this.#attempts = 0;
      delay = Math.floor(Math.random() * (this.#backoff.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS));
    } else {
      if (wasOpen && (this.#heardBack || Date.now() - this.#openedAt >= STABLE_CONNECTION_MS)) this.#attempts = 0;
      this.#attempts++;
      delay = backoffDelay(this.#attempts, this.#backoff);
    }
    this.#setState("reconnecting");
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delay);
  }

  #scheduleFlush(): void {
    if (!this.#socketOpen || this.#queue.size === 0) return;
    if (this.#queue.size >= this.#maxBatchEvents || this.#state === "closing") {
      this.#flush();
      return;
    }
    this.#flushTimer ??= setTimeout(() => this.#flush(), this.#batchWindowMs);
  }

  /** Sends everything queued, `maxBatchEvents` to a frame. */
  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const socket = this.#socket;
    if (socket === undefined || !this.#socketOpen || socket.readyState !== OPEN) return;
    while (this.#queue.size > 0) {
      const batch: _Pending[] = [];
      for (const pending of this.#queue) {
        batch.push(pending);
        if (batch.length >= this.#maxBatchEvents) break;
      }
      try {
        socket.send(encodeEventFrame(batch.map((pending) => pending.wire)));
      } catch {
        // The socket is going; its close resends everything unacked.
        return;
      }
      for (const pending of batch) {
        this.#queue.delete(pending);
        pending.phase = "inflight";
        if (pending.transmissions++ === 0) this.#stats.sent++;
        else this.#stats.resent++;
      }
    }
  }

  #remove(pending: _Pending): void {
    this.#outbox.delete(pending.entry.id);
    this.#queue.delete(pending);
    clearTimeout(pending.timer);
    pending.timer = undefined;
    this.#storeOp(() => this.#store.delete(pending.entry.id));
  }

  #drained(): Promise<void> {
    if (this.#outbox.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #wakeDrainWaiters(): void {
    if (this.#outbox.size > 0 || this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  /** A method, not a field read, so that checks after an `await` are not narrowed away. */
  #closed(): boolean {
    return this.#state === "closed";
  }

  #setState(state: VeltrixClientState): void {
    if (this.#state === state || this.#state === "closed") return;
    if (this.#state === "closing" && state !== "closed") return;
    this.#state = state;
    this.#emit("state", state);
  }

  #emit<E extends keyof VeltrixClientEvents>(event: E, ...args: VeltrixClientEvents[E]): void {
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

  /** Runs a store operation after the ones before it; a failure becomes a `STORE_FAILED` error event. */
  #storeOp(operation: () => void | Promise<void>): void {
    if (this.#storeTail === undefined) {
      let result: void | Promise<void>;
      try {
        result = operation();
      } catch (cause) {
        this.#storeFailed(cause);
        return;
      }
      if (_isThenable(result)) {
        this.#track(Promise.resolve(result).catch((cause) => this.#storeFailed(cause)));
      }
      return;
    }
    this.#track(this.#storeTail.then(operation).catch((cause) => this.#storeFailed(cause)));
  }

  #track(operation: Promise<void>): void {
    this.#storeTail = operation;
    void operation.then(() => {
      if (this.#storeTail === operation) this.#storeTail = undefined;
    });
  }

  #storeFailed(cause: unknown): void {
    this.#emit(
      "error",
      new VeltrixClientError("STORE_FAILED", `the outbox store failed: ${_message(cause)}`, { cause }),
    );
  }
}

function _bound(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a number of at least ${min}`);
  return value;
}

function _isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === "function";
}

function _message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Waits for `promise`, or `ms`, whichever comes first; clears its timer either way. */
async function _within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
