/** One Kafka record, ready to write. */
export interface OutboundRecord {
  readonly topic: string;
  /** The record key, or null for none. */
  readonly key: string | null;
  /** A protobuf value as bytes or a JSON value as text. */
  readonly value: Uint8Array | string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Where routed records go. `write` resolves only once every record is acknowledged by all
 * in-sync replicas, and rejects when any of them is not.
 */
export interface RecordSink {
  write(records: readonly OutboundRecord[]): Promise<void>;
}

/** A {@link RecordSink} over a Kafka producer of its own: one produce lane's. */
export interface LaneSink extends RecordSink {
  /** Disconnects the producer once its lane has nothing pending; never throws, and a second call does nothing. */
  close(): Promise<void>;
}

/**
 * Opens a {@link LaneSink} for the produce lane of tenant `lane`: a producer of its own (its own
 * connections, producer id and sequence numbers), which starts connecting at once.
 */
export type LaneSinkFactory = (lane: string) => LaneSink;
