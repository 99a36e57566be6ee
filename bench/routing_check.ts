/**
 * Checks where a load run's acked events landed: reads the topics of the treasure-hunt mix back
 * with kcat (a consumer independent of the edge's client) and holds every acked id to what the id
 * says it is (`bench/event_id.ts`): found, in exactly the topics the default route map names for
 * its type, once in each, keyed by its player.
 *
 * @module
 */
import { type ReadRecord, readTopic } from "../tests/support/kcat_reader.ts";
import { parseEventId, playerName } from "./event_id.ts";
import { MIX_TOPICS, mixEntry } from "./treasure_hunt_mix.ts";
import { EVENT_ID_HEADER } from "../src/core/mod.ts";

/** What the read-back found for the acked ids of one run. */
export interface RoutingCheck {
  /** Records read back that carry an id of the run. */
  readonly records: number;
  /** Acked ids found in at least one topic. */
  readonly found: number;
  /** Acked ids found in no topic. */
  readonly missing: number;
  /** Found ids whose topics are not the ones the mix names for their type. */
  readonly misrouted: number;
  /** Extra copies of an id within one topic. */
  readonly duplicates: number;
  /** Found ids with a record keyed by anything but their player. */
  readonly wrongKey: number;
}

/** True when the check found every acked event exactly where it belongs. */
export function routedExactly(check: RoutingCheck): boolean {
  return check.missing === 0 && check.misrouted === 0 && check.duplicates === 0 && check.wrongKey === 0;
}

/**
 * Reads the mix's topics from `sinceMs` to their end and checks the ids of `run` listed one per
 * line in `ackedFiles` (as `bench/load_worker.ts` writes them).
 */
export async function checkRouting(
  brokers: string,
  sinceMs: number,
  run: string,
  ackedFiles: readonly string[],
): Promise<RoutingCheck> {
  const records = (await Promise.all(MIX_TOPICS.map((topic) => readTopic(brokers, topic, sinceMs)))).flat();
  const acked = (await Promise.all(ackedFiles.map((file) => Deno.readTextFile(file))))
    .flatMap((text) => text.split("\n")).filter((id) => id !== "");
  return judgeRouting(records, run, acked);
}

/** Checks the `acked` ids of `run` against the `records` read back (records of other runs are ignored). */
export function judgeRouting(
  records: readonly Pick<ReadRecord, "topic" | "key" | "headers">[],
  run: string,
  acked: Iterable<string>,
): RoutingCheck {
  const landed = new Map<string, { topics: string[]; keys: (string | null)[] }>();
  let ofRun = 0;
  for (const r of records) {
    const id = r.headers[EVENT_ID_HEADER] ?? "";
    if (parseEventId(id)?.run !== run) continue;
    ofRun++;
    const entry = landed.get(id) ?? { topics: [], keys: [] };
    entry.topics.push(r.topic);
    entry.keys.push(r.key);
    landed.set(id, entry);
  }
  let found = 0, missing = 0, misrouted = 0, duplicates = 0, wrongKey = 0;
  for (const id of acked) {
    const entry = landed.get(id);
    const parsed = parseEventId(id);
    if (entry === undefined || parsed === undefined) {
      missing++;
      continue;
    }
    found++;
    const unique = [...new Set(entry.topics)].sort();
    if (unique.join() !== [...mixEntry(parsed.n).topics].sort().join()) misrouted++;
    duplicates += entry.topics.length - unique.length;
    if (entry.keys.some((key) => key !== playerName(run, parsed.player))) wrongKey++;
  }
  return { records: ofRun, found, missing, misrouted, duplicates, wrongKey };
}
