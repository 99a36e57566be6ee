import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";
import type { OutboundRecord, RecordSink } from "../../core/routing/record_sink.ts";

import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { ProduceMetrics } from "../edge_metrics.ts";
import type { TenantAcks } from "../tenant_metrics.ts";

/** What the batcher takes of a routed event: its records and their size in bytes. */
export interface RoutedRecords {
  readonly records: readonly OutboundRecord[];
  readonly bytes: number;
}

/** Batching knobs. */
export interface ProduceBatcherOptions {
  /** How long the first event of a batch may wait for company, in ms. @default 2 */
  readonly lingerMs: number;
  /** A batch is sent once it holds this many events. @default 2000 */
  readonly batchMaxEvents: number;
  /**
   * Under load, the size a batch may keep gathering toward past `lingerMs`, for at most
   * `maxLingerMs` from its first event: when the rate the batch filled at says it gets an eighth
   * of this within that budget, it waits. 0 turns adaptive batching off. @default 128
   */
  readonly batchTargetEvents?: number;
  /** The latency budget of adaptive batching: no batch waits longer than this for company, in ms. @default 8 */
  readonly maxLingerMs?: number;
  /**
   * A quiet batcher does not linger: when its recent events came, on average, `lingerMs` or more
   * apart (a linger would gather less than one event), a batch's first event is sent at the end of
   * the turn that brought it, with the rest of its frame (or, while every write slot is taken, as
   * soon as one frees). @default true
   */
  readonly idleSend?: boolean;
  /** A batch is sent once its records reach about this many bytes. @default 1048576 */
  readonly batchMaxBytes: number;
  /** Batches written at once. 1 keeps per-partition order under retries. @default 1 */
  readonly maxInFlightBatches: number;
  /** Events held (batched, queued or in flight) before `submit` refuses more. @default 100000 */
  readonly maxPendingEvents: number;
  /** Told each acked event's latency and each produce request's duration. */
  readonly metrics?: ProduceMetrics;
  /** Every event of this batcher is of one tenant (a produce lane): told each acked event's latency. */
  readonly tenantAcks?: TenantAcks;
  /** Events of several tenants share this batcher: each event's `tenant` (see `submit`) is told its ack latency. */
  readonly perEventTenants?: boolean;
}

interface Batch {
  /** When its first event came, in `performance.now()` ms. */
  startedAt: number;
  /** True once its events were told their outcome (a batch abandoned at shutdown may still be written). */
  settled: boolean;
  records: OutboundRecord[];
  listeners: DeliveryListener[];
  ids: string[];
  /** When each event's frame arrived, in ms since the epoch. */
  receivedAt: number[];
  /** Each event's tenant, with `perEventTenants` only. */
  tenants: (TenantAcks | undefined)[];
  bytes: number;
}

/**
 * Gathers the records of events from many connections into few Kafka writes: a batch goes out
 * when it is full or when its first event has lingered `lingerMs` (at once, at the end of its
 * turn, when the batcher is quiet: see `idleSend`), with at most
 * `maxInFlightBatches` writes outstanding; a batch that lingered while every write slot was taken
 * keeps gathering until one frees, so that load makes batches larger rather than queues longer.
 * Events are only reported delivered when the write holding them is acknowledged; nothing is
 * acknowledged early.
 */
export class ProduceBatcher {
  readonly #sink: RecordSink;
  readonly #options: ProduceBatcherOptions;
  #open: Batch = emptyBatch();
  readonly #sealed: Batch[] = [];
  #inFlight = 0;
  #pending = 0;
  readonly #writing = new Set<Batch>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The open batch has lingered its time while every write slot was taken: it goes out when one frees. */
  #due = false;
  /** The open batch lingered past `lingerMs` to gather toward `targetBatchEvents`: it goes out when it has them. */
  #extended = false;
  #idleWaiters: (() => void)[] = [];
  /** When the previous event's frame arrived, in ms since the epoch. */
  #lastReceivedAtMs = 0;
  /** The moving average of the time between events (events of one frame are 0 apart), in ms. */
  #meanGapMs = MAX_GAP_MS;
  /** The open batch is sent at the end of this turn (an idle send is queued). */
  #sendQueued = false;

  constructor(sink: RecordSink, options: ProduceBatcherOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  /** Events accepted and not yet reported delivered or failed. */
  get pendingEvents(): number {
    return this.#pending;
  }

  /** Writes outstanding right now. */
  get inFlightBatches(): number {
    return this.#inFlight;
  }

  /**
   * Queues the records of one event. Returns false, and keeps nothing, when the batcher already
   * holds `maxPendingEvents`; the caller must then tell the client to retry. `tenant` is told the
   * event's ack latency when the batcher takes `perEventTenants`.
   */
  submit(
    routed: RoutedRecords,
    listener: DeliveryListener,
    id: string,
    receivedAtMs = Date.now(),
    tenant?: TenantAcks,
  ): boolean {
    if (this.#pending >= this.#options.maxPendingEvents) return false;
    this.#pending++;
    const batch = this.#open;
    const first = batch.ids.length === 0;
    if (first) batch.startedAt = performance.now();
    const gapMs = Math.min(MAX_GAP_MS, Math.max(0, receivedAtMs - this.#lastReceivedAtMs));
    this.#lastReceivedAtMs = receivedAtMs;
    this.#meanGapMs += (gapMs - this.#meanGapMs) * GAP_WEIGHT;
    const { records, bytes } = routed;
    for (const record of records) batch.records.push(record);
    batch.listeners.push(listener);
    batch.ids.push(id);
    batch.receivedAt.push(receivedAtMs);
    if (this.#options.perEventTenants === true) batch.tenants.push(tenant);
    batch.bytes += bytes;
    const events = batch.ids.length;
    if (
      events >= this.#options.batchMaxEvents || batch.bytes >= this.#options.batchMaxBytes ||
      (this.#extended && events >= (this.#options.batchTargetEvents ?? DEFAULT_TARGET_BATCH_EVENTS))
    ) {
      this.#seal();
    } else if (this.#timer === undefined && !this.#due && !this.#sendQueued) {
      if (first && this.#meanGapMs >= this.#options.lingerMs && this.#options.idleSend !== false) {
        // Quiet: no company is coming. Send with the rest of the frame, or when a write slot frees.
        if (this.#inFlight < this.#options.maxInFlightBatches) {
          this.#sendQueued = true;
          queueMicrotask(this.#sendIdle);
        } else {
          this.#due = true;
        }
      } else {
        this.#timer = setTimeout(this.#onLinger, this.#options.lingerMs);
      }
    }
    return true;
  }

  /** The idle send: the batch goes out with every event its turn brought (the rest of the frame). */
  readonly #sendIdle = (): void => {
    this.#sendQueued = false;
    if (this.#open.ids.length > 0) this.#seal();
  };

  /**
   * Sends whatever is batched now and resolves once nothing is pending. Past `timeoutMs`, every
   * event still pending fails with KAFKA_WRITE_FAILED (its client resends it elsewhere) and the
   * promise resolves with how many did; a write still running may yet land, which only costs a
   * duplicate record.
   */
  async drain(timeoutMs = Infinity): Promise<number> {
    if (this.#open.ids.length > 0) this.#seal();
    if (this.#pending === 0) return 0;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    if (!Number.isFinite(timeoutMs)) return idle.then(() => 0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      idle.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return 0;
    const left = this.#pending;
    const error = new VeltrixError("KAFKA_WRITE_FAILED", "the edge stopped before Kafka acknowledged this event");
    for (const batch of [...this.#writing, ...this.#sealed.splice(0)]) this.#settle(batch, error);
    return left;
  }

  readonly #onLinger = (): void => {
    this.#timer = undefined;
    const events = this.#open.ids.length;
    if (events === 0) return;
    // Every write slot is taken: keep gathering, and send it all as one batch when a slot frees.
    if (this.#inFlight >= this.#options.maxInFlightBatches) {
      this.#due = true;
      return;
    }
    if (!this.#extended) {
      const waitMs = extraLingerMs(
        events,
        performance.now() - this.#open.startedAt,
        this.#options.batchTargetEvents ?? DEFAULT_TARGET_BATCH_EVENTS,
        this.#options.maxLingerMs ?? DEFAULT_MAX_LINGER_MS,
      );
      if (waitMs > 0) {
        this.#extended = true;
        this.#timer = setTimeout(this.#onLinger, waitMs);
        return;
      }
    }
    this.#seal();
  };

  #seal(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#due = false;
    this.#extended = false;
    this.#sealed.push(this.#open);
    this.#open = emptyBatch();
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#options.maxInFlightBatches && this.#sealed.length > 0) {
      const batch = this.#sealed.shift()!;
      this.#inFlight++;
      this.#writing.add(batch);
      const started = performance.now();
      let written: Promise<void>;
      try {
        written = this.#sink.write(batch.records);
      } catch (reason) {
        written = Promise.reject(reason);
      }
      written.then(
        () => {
          this.#options.metrics?.produced(performance.now() - started);
          this.#settle(batch, undefined);
        },
        (reason) => {
          this.#options.metrics?.produceFailed();
          this.#settle(batch, VeltrixError.from(reason, "KAFKA_WRITE_FAILED"));
        },
      );
    }
  }

  #settle(batch: Batch, error: VeltrixError | undefined): void {
    if (batch.settled) return;
    batch.settled = true;
    if (this.#writing.delete(batch)) this.#inFlight--;
    this.#pending -= batch.ids.length;
    const { listeners, ids } = batch;
    const { metrics, tenantAcks } = this.#options;
    const perEvent = batch.tenants.length > 0;
    if (error === undefined && (metrics !== undefined || tenantAcks !== undefined || perEvent)) {
      const now = Date.now();
      const { receivedAt, tenants } = batch;
      for (let i = 0; i < receivedAt.length; i++) {
        const latencyMs = now - receivedAt[i]!;
        metrics?.acked(latencyMs);
        tenantAcks?.acked(latencyMs);
        if (perEvent) tenants[i]?.acked(latencyMs);
      }
    }
    for (let i = 0; i < ids.length; i++) {
      const listener = listeners[i]!;
      try {
        if (error === undefined) listener.delivered(ids[i]!);
        else listener.failed(ids[i]!, error);
      } catch {
        // A listener that throws must not cost the other events their outcome.
      }
    }
    if (this.#due && this.#sealed.length === 0) this.#seal();
    else this.#pump();
    if (this.#pending === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}

/** The longest gap between events the moving average counts, in ms: a lane quiet for longer reads as this quiet. */
const MAX_GAP_MS = 1_000;
/** How much each event moves the average gap: about the last eight events count. */
const GAP_WEIGHT = 1 / 8;

const DEFAULT_TARGET_BATCH_EVENTS = 128;
const DEFAULT_MAX_LINGER_MS = 8;

/**
 * How much longer a batch that has `events` after lingering `ageMs` should wait, at the rate it
 * filled so far, to grow toward `target` within `budgetMs` of its first event. Light load (the
 * batch would not reach an eighth of the target within the budget) gets 0: it goes out now, after
 * the plain linger. Under load it waits until it reaches the target or the budget ends, whichever
 * comes first: fewer, larger produce requests, each of which costs a fixed amount of CPU (in the
 * runtime and in the kernel's loopback or network path) whatever it carries.
 */
export function extraLingerMs(events: number, ageMs: number, target: number, budgetMs: number): number {
  if (target <= events || ageMs <= 0 || ageMs >= budgetMs) return 0;
  const perMs = events / ageMs;
  if (perMs * budgetMs < target / 8) return 0;
  const fullAtMs = Math.min(budgetMs, target / perMs);
  return Math.max(0.1, fullAtMs - ageMs);
}

function emptyBatch(): Batch {
  return { startedAt: 0, settled: false, records: [], listeners: [], ids: [], receivedAt: [], tenants: [], bytes: 0 };
}
