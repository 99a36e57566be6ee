import WebSocket from "ws";
import { VeltrixClient } from "../../src/client/mod.ts";
import { playerToken } from "./tokens.ts";

/** What the senders saw, for the fault tests' report. */
export interface SendReport {
  sent: number;
  acked: number;
  rejected: number;
  /** Longest time from send() to ack, in ms. */
  maxAckLatencyMs: number;
  /** Longest time no client got any ack while events were outstanding, in ms. */
  longestStallMs: number;
}

/**
 * Game clients built on the SDK, each sending one event type (`player.moved` unless told) at a
 * steady rate until stopped.
 * Event ids are `${run}-${client}-${sequence}`, so the tests can look for every one in Kafka.
 */
export class SteadySenders {
  readonly run = crypto.randomUUID().slice(0, 8);
  readonly sentIds: string[] = [];
  readonly ackedIds = new Set<string>();
  readonly rejections = new Map<string, string>();
  readonly #clients: VeltrixClient[] = [];
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  /** The id the next send() of each client gets: set just before it is called. */
  readonly #nextId: string[] = [];
  readonly #sequence: number[] = [];
  #maxLatency = 0;
  #lastAckAt = performance.now();
  #longestStall = 0;
  #type = "player.moved";

  private constructor() {}

  /** Connects `clients` SDK clients to `url`, each sending `perSecond` events of `type` per second. */
  static start(url: string, clients: number, perSecond: number, type = "player.moved"): SteadySenders {
    const senders = new SteadySenders();
    senders.#type = type;
    for (let c = 0; c < clients; c++) {
      const client = new VeltrixClient({
        url,
        token: () => playerToken(`fault-${senders.run}-${c}`),
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
        idFactory: () => senders.#nextId[c]!,
        reconnect: { initialDelayMs: 50, maxDelayMs: 1_000 },
      });
      senders.#clients.push(client);
      senders.#timers.push(setInterval(() => senders.#sendOne(client, c), 1000 / perSecond));
    }
    senders.#timers.push(setInterval(() => senders.#watchStall(), 20));
    return senders;
  }

  #sendOne(client: VeltrixClient, c: number): void {
    const sequence = this.#sequence[c] = (this.#sequence[c] ?? -1) + 1;
    const id = this.#nextId[c] = `${this.run}-${c}-${sequence}`;
    this.sentIds.push(id);
    const sentAt = performance.now();
    const sending = client.send(this.#type, { c, at: Date.now() }).then(
      () => {
        const now = performance.now();
        this.ackedIds.add(id);
        this.#maxLatency = Math.max(this.#maxLatency, now - sentAt);
        this.#lastAckAt = now;
      },
      (error) => {
        this.rejections.set(id, (error as { code?: string }).code ?? String(error));
      },
    );
    this.#pending.add(sending);
    sending.finally(() => this.#pending.delete(sending));
  }

  #watchStall(): void {
    const now = performance.now();
    if (this.#pending.size === 0) this.#lastAckAt = now;
    this.#longestStall = Math.max(this.#longestStall, now - this.#lastAckAt);
  }

  /** Stops sending new events. */
  stop(): void {
    for (const timer of this.#timers.splice(0, this.#timers.length - 1)) clearInterval(timer);
  }

  /** Events sent and neither acked nor rejected yet. */
  get outstanding(): number {
    return this.#pending.size;
  }

  /** Resolves once every event sent has been acked or rejected, or throws after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    const all = Promise.allSettled([...this.#pending]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.#pending.size} events still unacked after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every client and the stall watch. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all(this.#clients.map((client) => client.close({ flushTimeoutMs: 1_000 })));
  }

  report(): SendReport {
    return {
      sent: this.sentIds.length,
      acked: this.ackedIds.size,
      rejected: this.rejections.size,
      maxAckLatencyMs: Math.round(this.#maxLatency),
      longestStallMs: Math.round(this.#longestStall),
    };
  }
}
