/** One partition of one topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A record read by a {@link KafkaGroupConsumer}, with where it sits. */
export interface GroupRecord extends TopicPartition {
  /** The record's offset, as a decimal string (offsets are 64-bit). */
  readonly offset: string;
  /** The record's timestamp, in ms since the epoch. */
  readonly timestampMs: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Header values as UTF-8 text; the first value when a header repeats. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** The records of one partition that a fetch returned, in offset order. */
export interface GroupBatch extends TopicPartition {
  readonly records: readonly GroupRecord[];
}

/** What a batch handler may do while it works through a batch. */
export interface BatchControl {
  /**
   * Commits `nextOffset` (the offset after the last record handled) for the batch's partition, and
   * moves this member's read position there (see {@link BatchControl.advance}).
   */
  commit(nextOffset: string): Promise<void>;
  /**
   * Moves this member's read position to `nextOffset` without committing: the next batch of the
   * partition starts there. A batch that neither advances nor commits is fetched again.
   */
  advance(nextOffset: string): void;
  /** Tells the group coordinator the member is alive; call it during long batches. */
  heartbeat(): Promise<void>;
  /**
   * False once the consumer is stopping, or the partition was sought elsewhere or revoked: stop
   * handling the batch and commit nothing more of it (its records come again).
   */
  isActive(): boolean;
}

/** Where a partition with no committed offset starts. */
export type StartPosition =
  | { readonly from: "latest" }
  | { readonly from: "earliest" }
  /** The first offset at or after a time, ignoring commits: for a group of one member (a tail). */
  | { readonly from: "timestamp"; readonly timestampMs: number };

/** How a {@link KafkaGroupConsumer} runs. */
export interface GroupConsumerRun {
  readonly topics: readonly string[];
  readonly start: StartPosition;
  /**
   * Handles one batch. Offsets are never committed or advanced automatically: the handler commits
   * (or, for a reader that keeps no position, advances past) what it has handled. A batch that
   * throws is fetched again from the last committed offset.
   */
  readonly onBatch: (batch: GroupBatch, control: BatchControl) => Promise<void>;
  /** Hears the partitions this member holds after each rebalance. */
  readonly onAssignment?: (partitions: readonly TopicPartition[]) => void;
  /** Hears when the consumer stops on its own after an error it could not get past. */
  readonly onCrash?: (error: unknown) => void;
}

/** Who a {@link KafkaGroupConsumer} is in its group. */
export interface GroupConsumerOptions {
  readonly clientId: string;
  readonly groupId: string;
  /** How long the group waits for a silent member before giving its partitions away. @default 30_000 */
  readonly sessionTimeoutMs?: number;
  /** The longest a fetch waits for records when there are none. @default 500 */
  readonly maxWaitMs?: number;
}

/**
 * A member of a consumer group with manual commits, over whichever client library `src/kafka/`
 * uses. Implemented per client (`kafkajs/kafkajs_group_consumer.ts`).
 */
export interface KafkaGroupConsumer {
  /** Joins the group and starts handing batches to `run.onBatch`; resolves once it has joined. */
  run(run: GroupConsumerRun): Promise<void>;
  /** Lets the batch in hand finish, leaves the group and disconnects; never throws. */
  stop(): Promise<void>;
}

/** Makes a group consumer for the cluster the factory was made for. */
export type KafkaGroupConsumerFactory = (options: GroupConsumerOptions) => KafkaGroupConsumer;
