/**
 * Bench and test helper: a ProduceBatcher over a sink that accepts every write at once, so that
 * what is measured is the batcher's own path to the acks, not a broker.
 *
 * @module
 */
import { ProduceBatcher, type ProduceBatcherOptions } from "../produce_batcher.ts";

/**
 * A batcher whose sink resolves every write immediately: no linger, a batch sent as soon as it
 * holds `batchMaxEvents` events, one batch in flight, and byte and pending limits no bench reaches.
 * `extra` adds or overrides options (metrics, a tenant's ack histogram).
 *
 * @example
 * ```ts
 * import { immediateBatcher } from "./immediate_batcher.ts";
 * const batcher = immediateBatcher(100);
 * await batcher.drain();
 * ```
 */
export function immediateBatcher(batchMaxEvents: number, extra: Partial<ProduceBatcherOptions> = {}): ProduceBatcher {
  return new ProduceBatcher({ write: () => Promise.resolve() }, {
    lingerMs: 0,
    batchMaxEvents,
    batchMaxBytes: 100_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents: 1_000_000,
    ...extra,
  });
}
