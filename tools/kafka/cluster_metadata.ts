/**
 * What the cluster says about itself, read with `kcat -L -J`: its brokers, and each partition's
 * leader, replicas and in-sync replicas. The cluster tooling and fault tests use it to find the
 * leader of most partitions and to wait until every replica is back in sync.
 *
 * @module
 */

/** One partition's leader, replicas and in-sync replicas (broker ids; leader -1 when it has none). */
export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** The brokers a metadata answer lists, and its partitions. */
export interface ClusterMetadata {
  readonly brokers: readonly number[];
  readonly partitions: readonly PartitionState[];
}

interface KcatMetadata {
  brokers?: { id: number }[];
  topics?: {
    topic: string;
    partitions?: { partition: number; leader: number; replicas?: { id: number }[]; isrs?: { id: number }[] }[];
  }[];
}

/** Reads kcat's `-L -J` JSON. */
export function parseMetadata(json: string): ClusterMetadata {
  const raw = JSON.parse(json) as KcatMetadata;
  return {
    brokers: (raw.brokers ?? []).map((b) => b.id).sort((a, b) => a - b),
    partitions: (raw.topics ?? []).flatMap((t) =>
      (t.partitions ?? []).map((p) => ({
        topic: t.topic,
        partition: p.partition,
        leader: p.leader,
        replicas: (p.replicas ?? []).map((r) => r.id),
        isr: (p.isrs ?? []).map((r) => r.id),
      }))
    ),
  };
}

/** The cluster's metadata from `bootstrap` (all topics, or only `topic`); throws when kcat gets none. */
export async function readMetadata(bootstrap: string, topic?: string): Promise<ClusterMetadata> {
  const args = ["-L", "-J", "-m", "5", "-b", bootstrap, ...(topic ? ["-t", topic] : [])];
  const out = await new Deno.Command("kcat", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`kcat -L failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  return parseMetadata(new TextDecoder().decode(out.stdout));
}

/** Partitions with fewer in-sync replicas than replicas, or without a leader. */
export function underReplicated(metadata: ClusterMetadata): PartitionState[] {
  return metadata.partitions.filter((p) => p.isr.length < p.replicas.length || p.leader < 0);
}

/** How many partitions (of `topic`, or of all) each broker leads, most first. */
export function leaderCounts(metadata: ClusterMetadata, topic?: string): [broker: number, partitions: number][] {
  const counts = new Map<number, number>();
  for (const p of metadata.partitions) {
    if (p.leader < 0 || (topic !== undefined && p.topic !== topic)) continue;
    counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}
