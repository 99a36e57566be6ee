import type { Admin } from "kafkajs";

/** How new topics are laid out. */
export interface TopicLayout {
  readonly partitions: number;
  /** -1 takes the broker's default. */
  readonly replicationFactor: number;
}

/**
 * Makes sure every topic in `topics` exists, creating the missing ones and waiting for their
 * leaders. Returns the topics it created.
 */
export async function ensureTopics(admin: Admin, topics: readonly string[], layout: TopicLayout): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: layout.partitions,
      replicationFactor: layout.replicationFactor,
    })),
  });
  const after = new Set(await admin.listTopics());
  const absent = missing.filter((topic) => !after.has(topic));
  if (absent.length > 0) throw new Error(`topics still missing after create: ${absent.join(", ")}`);
  return missing;
}
