import type { OutboundRecord, ReplayOutcome } from "../../src/core/mod.ts";

/** What a replay did, or would do, with the dead letters it read: counts by type and outcome. */
export class ReplayTally {
  /** `type\toutcome` → count; the outcome is `routes`, a reason, or `already replayed`. */
  readonly #counts = new Map<string, number>();
  /** Events that route, and their records, in read order. */
  readonly routed: { readonly from: string; readonly records: readonly OutboundRecord[] }[] = [];
  left = 0;
  already = 0;
  skipped = 0;

  /** Counts the outcome of the dead letter at `from` of type `type`. */
  add(type: string, from: string, outcome: ReplayOutcome | "already replayed"): void {
    const label = outcome === "already replayed" ? outcome : outcome.routes ? "routes" : outcome.reason;
    const key = `${type}\t${label}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    if (outcome === "already replayed") this.already++;
    else if (outcome.routes) this.routed.push({ from, records: outcome.records });
    else this.left++;
  }

  /** Records the routed events make. */
  get records(): number {
    return this.routed.reduce((n, event) => n + event.records.length, 0);
  }

  /** The table of counts, one line per type and outcome, sorted. */
  lines(): string[] {
    const rows = [...this.#counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => {
      const [type, outcome] = key.split("\t");
      return [type!, outcome!, String(count)];
    });
    const widths = [4, 7].map((min, i) => Math.max(min, ...rows.map((row) => row[i]!.length)));
    const line = (row: string[]) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`;
    return [line(["type", "outcome", "events"]), ...rows.map(line)];
  }
}

/** Parses `--offsets`: `P:FROM-TO` or `P:FROM` (to the end) per partition, comma-separated; TO is exclusive. */
export function parseOffsets(text: string): Map<number, { from: bigint; to: bigint | undefined }> {
  const ranges = new Map<number, { from: bigint; to: bigint | undefined }>();
  for (const part of text.split(",")) {
    const match = /^(\d+):(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) throw new Error(`--offsets ${JSON.stringify(part)}: write PARTITION:FROM[-TO], e.g. 0:120-180`);
    ranges.set(Number(match[1]), {
      from: BigInt(match[2]!),
      to: match[3] === undefined ? undefined : BigInt(match[3]),
    });
  }
  return ranges;
}
