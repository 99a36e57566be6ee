/** One partition of one topic. */
export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * Where a consumer remembers the event ids it has handled, so that a second copy of an event is
 * skipped. The runner asks {@link EventIdStore.has} before the handler and calls
 * {@link EventIdStore.add} after it succeeds, before the offset is committed. A service that keeps
 * its state in a database can keep the ids there too, in the same transaction as the state change:
 * then nothing is handled twice, across restarts and past any window. {@link DedupeWindow} is the
 * in-memory store. Ids are scoped by partition; a store may ignore the scope to catch copies on
 * other partitions too.
 */
export interface EventIdStore {
  /** True when event `id` was handled before (on `partition`, or anywhere the store looks). */
  has(partition: PartitionRef, id: string): boolean | Promise<boolean>;
  /** Remembers that event `id` from `partition` was handled. */
  add(partition: PartitionRef, id: string): void | Promise<void>;
}
