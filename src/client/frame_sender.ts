import type { Outbox } from "./outbox.ts";
import type { VeltrixClientStats } from "./veltrix_client_stats.ts";
import type { WebSocketLike } from "./websocket_like.ts";
import { encodeEventFrame } from "./wire_frame.ts";

/** `readyState` of an open WebSocket. */
const OPEN = 1;

/**
 * Sends the outbox's queued events on the open socket, `maxBatchEvents` to a frame. Events queued
 * within `batchWindowMs` of the first unsent one go out together; a full frame goes at once.
 * Counts each event sent in `stats` (`sent` the first time, `resent` after).
 */
export class FrameSender {
  readonly #outbox: Outbox;
  readonly #stats: VeltrixClientStats;
  readonly #batchWindowMs: number;
  readonly #maxBatchEvents: number;
  readonly #openSocket: () => WebSocketLike | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A sender for `outbox`, counting into `stats`.
   *
   * @param openSocket The socket when one is open, else undefined.
   */
  constructor(
    outbox: Outbox,
    stats: VeltrixClientStats,
    bounds: { readonly batchWindowMs: number; readonly maxBatchEvents: number },
    openSocket: () => WebSocketLike | undefined,
  ) {
    this.#outbox = outbox;
    this.#stats = stats;
    this.#batchWindowMs = bounds.batchWindowMs;
    this.#maxBatchEvents = bounds.maxBatchEvents;
    this.#openSocket = openSocket;
  }

  /**
   * Something was queued: sends at the end of the batch window, or at once when a frame is full
   * or `now` (the client is closing). Does nothing while no socket is open.
   */
  schedule(now: boolean): void {
    if (this.#openSocket() === undefined || this.#outbox.queued === 0) return;
    if (this.#outbox.queued >= this.#maxBatchEvents || now) {
      this.flush();
      return;
    }
    this.#flushTimer ??= setTimeout(() => this.flush(), this.#batchWindowMs);
  }

  /** Sends everything queued now, `maxBatchEvents` to a frame. */
  flush(): void {
    this.cancel();
    const socket = this.#openSocket();
    if (socket === undefined || socket.readyState !== OPEN) return;
    while (this.#outbox.queued > 0) {
      const batch = this.#outbox.nextBatch(this.#maxBatchEvents);
      try {
        socket.send(encodeEventFrame(batch.map((pending) => pending.wire)));
      } catch {
        // The socket is going; its close resends everything unacked.
        return;
      }
      for (const pending of batch) {
        if (this.#outbox.markSent(pending)) this.#stats.sent++;
        else this.#stats.resent++;
      }
    }
  }

  /** Drops a scheduled send (the socket is gone, or the client closed). */
  cancel(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
  }
}
