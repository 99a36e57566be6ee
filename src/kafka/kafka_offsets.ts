/** The offsets of one partition: where a read from a time starts, and where the partition ends. */
export interface PartitionRange {
  readonly partition: number;
  /** The first offset at or after the time asked for (the log start when none was given). */
  readonly start: string;
  /** The offset the next record will get (the high watermark). */
  readonly end: string;
}

/** Reads partition offsets, for bounded reads (`routes trace`) and topic checks (`deno task tail`). */
export interface KafkaOffsets {
  /** Each partition of `topic` with its range from `sinceMs` (or the log start) to its end. */
  ranges(topic: string, sinceMs?: number): Promise<PartitionRange[]>;
  /** The names of the cluster's topics. */
  listTopics(): Promise<string[]>;
  /** Disconnects; never throws. */
  close(): Promise<void>;
}
