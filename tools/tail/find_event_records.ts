import { type GroupRecord, type KafkaConnection, kafkaGroupConsumers, kafkaOffsets } from "../../src/kafka/mod.ts";
import { checkTopics, quietLogger, TailError } from "./tail_kafka.ts";
import { EVENT_ID_HEADER } from "../../src/core/mod.ts";

/** Where {@link findEventRecords} looks. */
export interface EventSearch {
  /** The cluster, with its TLS and SASL (see `loadKafkaConnection`). */
  readonly connection: KafkaConnection;
  readonly topics: readonly string[];
  /** The `veltrix-event-id` header to look for. */
  readonly id: string;
  /** Reads records written at or after this time. */
  readonly sinceMs: number;
  /** Gives up (with a TailError) when the read has not reached the end by then. @default 60_000 */
  readonly timeoutMs?: number;
}

/**
 * Every record of `search.topics` written since `search.sinceMs` whose `veltrix-event-id` header
 * is `search.id`. The read is bounded: it stops at each partition's end as it was when the search
 * began. It reads in a group of its own that commits nothing. Throws a TailError for an unknown topic.
 */
export function findEventRecords(search: EventSearch): Promise<GroupRecord[]> {
  return readBounded({ ...search, keep: (record) => record.headers[EVENT_ID_HEADER] === search.id });
}

/** A bounded read: what {@link readBounded} reads, and which records it keeps. */
export interface BoundedRead {
  readonly connection: KafkaConnection;
  readonly topics: readonly string[];
  /** Reads records written at or after this time (0: from each partition's start). */
  readonly sinceMs: number;
  /** Gives up (with a TailError) when the read has not reached the end by then. @default 60_000 */
  readonly timeoutMs?: number;
  /** Which records to return. */
  readonly keep: (record: GroupRecord) => boolean;
  /** Names the read's client and its throwaway group. @default "veltrix-trace" */
  readonly clientId?: string;
}

/**
 * The records of `read.topics` written since `read.sinceMs` that `read.keep` keeps, sorted by
 * topic, partition and offset. It stops at each partition's end as it was when the read began, and
 * reads in a group of its own that commits nothing. Throws a TailError for an unknown topic.
 */
export async function readBounded(read: BoundedRead): Promise<GroupRecord[]> {
  const search = read;
  const clientId = read.clientId ?? "veltrix-trace";
  const offsets = await kafkaOffsets("kafkajs", search.connection, quietLogger, clientId);
  const ends = new Map<string, bigint>();
  try {
    await checkTopics(offsets, search.topics);
    for (const topic of search.topics) {
      for (const range of await offsets.ranges(topic, search.sinceMs)) {
        if (BigInt(range.start) < BigInt(range.end)) ends.set(`${topic}/${range.partition}`, BigInt(range.end));
      }
    }
  } finally {
    await offsets.close();
  }
  if (ends.size === 0) return [];
  const found: GroupRecord[] = [];
  const pending = new Map(ends);
  const done = Promise.withResolvers<void>();
  const consumer = (await kafkaGroupConsumers("kafkajs", search.connection, quietLogger))({
    clientId,
    groupId: `${clientId}-${crypto.randomUUID()}`,
    maxWaitMs: 200,
  });
  const timeoutMs = search.timeoutMs ?? 60_000;
  const timer = setTimeout(
    () =>
      done.reject(
        new TailError(`the read did not reach the end of ${[...pending.keys()].join(", ")} in ${timeoutMs} ms`),
      ),
    timeoutMs,
  );
  try {
    await consumer.run({
      topics: search.topics,
      start: { from: "timestamp", timestampMs: search.sinceMs },
      onBatch: (batch, control) => {
        const key = `${batch.topic}/${batch.partition}`;
        const end = ends.get(key);
        const last = batch.records.at(-1);
        if (end === undefined || last === undefined) return Promise.resolve();
        for (const record of batch.records) {
          if (BigInt(record.offset) < end && read.keep(record)) found.push(record);
        }
        control.advance(String(BigInt(last.offset) + 1n));
        if (BigInt(last.offset) + 1n >= end && pending.delete(key) && pending.size === 0) done.resolve();
        return Promise.resolve();
      },
      onCrash: (error) => done.reject(new TailError(`lost Kafka: ${(error as Error).message ?? error}`)),
    });
    await done.promise;
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
  return found.sort((a, b) =>
    a.topic.localeCompare(b.topic) || a.partition - b.partition || Number(a.offset) - Number(b.offset)
  );
}
