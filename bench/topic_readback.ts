/**
 * Counts lost events after a benchmark: reads the topics back with `kcat` (a consumer independent
 * of the edge's client) and checks every acked id against what it found.
 *
 * @module
 */
import { textLines } from "./text_lines.ts";
import { withKcatSecurity } from "./kcat_security.ts";

/** The ids of a run found in the topics. */
export interface FoundIds {
  /** How many times each id was found, over all topics. */
  readonly seen: Map<string, number>;
  /** Records carrying an id of the run. */
  readonly records: number;
  /** Extra copies of an id within one topic. */
  readonly duplicates: number;
}

/**
 * Reads `topics` from `sinceMs` to their end and keeps the ids that start with `idPrefix`; kcat
 * connects with the Kafka security settings of the environment (see `kcat_security.ts`).
 */
export function readIds(
  brokers: string,
  topics: readonly string[],
  sinceMs: number,
  idPrefix: string,
): Promise<FoundIds> {
  return withKcatSecurity(Deno.env.toObject(), (kcatArgs) => readIdsWith(brokers, kcatArgs, topics, sinceMs, idPrefix));
}

async function readIdsWith(
  brokers: string,
  kcatArgs: readonly string[],
  topics: readonly string[],
  sinceMs: number,
  idPrefix: string,
): Promise<FoundIds> {
  const seen = new Map<string, number>();
  let records = 0, duplicates = 0;
  for (const topic of topics) {
    const inTopic = new Set<string>();
    for await (const id of eventIds(brokers, kcatArgs, topic, sinceMs)) {
      if (!id.startsWith(idPrefix)) continue;
      records++;
      if (inTopic.has(id)) duplicates++;
      inTopic.add(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  return { seen, records, duplicates };
}

/** Checks the acked ids listed one per line in `ackedFiles` against `found`. */
export async function countLost(
  found: FoundIds,
  ackedFiles: readonly string[],
): Promise<{ acked: number; found: number; lost: number }> {
  let acked = 0, present = 0;
  for (const file of ackedFiles) {
    for (const id of (await Deno.readTextFile(file)).split("\n")) {
      if (id === "") continue;
      acked++;
      if (found.seen.has(id)) present++;
    }
  }
  return { acked, found: present, lost: acked - present };
}

async function* eventIds(
  brokers: string,
  kcatArgs: readonly string[],
  topic: string,
  sinceMs: number,
): AsyncGenerator<string> {
  const child = new Deno.Command("kcat", {
    args: [...kcatArgs, "-b", brokers, "-C", "-t", topic, "-o", `s@${sinceMs}`, "-e", "-q", "-f", "%h\\n"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const pattern = /(?:^|,)veltrix-event-id=([^,]*)/;
  for await (const line of textLines(child.stdout)) {
    const match = pattern.exec(line);
    if (match) yield match[1]!;
  }
  const { code } = await child.status;
  if (code !== 0) throw new Error(`kcat could not read ${topic} back (exit ${code}): ${await stderr}`);
}
