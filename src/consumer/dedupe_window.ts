import type { EventIdStore, PartitionRef } from "./event_id_store.ts";

/** Options of a {@link DedupeWindow}. */
export interface DedupeWindowOptions {
  /** How many of the most recent event ids each partition remembers. @default 10_000 */
  readonly idsPerPartition?: number;
}

/**
 * The in-memory {@link EventIdStore}: the last `idsPerPartition` event ids handled on each
 * partition, forgotten oldest first. It catches a resend that lands on the same partition within
 * the window, which is where a resend keyed by player lands. It does not catch a copy on another
 * partition, a copy older than the window, or anything from before a restart (it starts empty):
 * for those, give the runner a store that keeps ids where the service keeps its state.
 */
export class DedupeWindow implements EventIdStore {
  readonly #idsPerPartition: number;
  readonly #partitions = new Map<string, Set<string>>();

  constructor(options: DedupeWindowOptions = {}) {
    this.#idsPerPartition = options.idsPerPartition ?? 10_000;
    if (!Number.isInteger(this.#idsPerPartition) || this.#idsPerPartition < 1) {
      throw new RangeError(`idsPerPartition must be a positive integer, not ${this.#idsPerPartition}`);
    }
  }

  has(partition: PartitionRef, id: string): boolean {
    return this.#partitions.get(partitionKey(partition))?.has(id) ?? false;
  }

  add(partition: PartitionRef, id: string): void {
    const key = partitionKey(partition);
    let ids = this.#partitions.get(key);
    if (ids === undefined) this.#partitions.set(key, ids = new Set());
    if (ids.has(id)) return;
    ids.add(id);
    if (ids.size > this.#idsPerPartition) ids.delete(ids.values().next().value!);
  }

  /** How many ids the window holds for `partition`. */
  size(partition: PartitionRef): number {
    return this.#partitions.get(partitionKey(partition))?.size ?? 0;
  }
}

function partitionKey(partition: PartitionRef): string {
  return `${partition.topic}\u0000${partition.partition}`;
}
