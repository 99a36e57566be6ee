/**
 * A bounded, privacy-aware picture of an edge's recent traffic, for dry runs of candidate route
 * maps: counts per event type over a sliding window, at most `maxTypes` types per time bucket
 * (the rest counted as "other"), and, only when `samplesPerType` is above 0, a small reservoir of
 * recent `data` payloads per type, held in memory and never written anywhere or returned by the
 * API (a dry run reports shares and one failing JSON pointer, never a payload).
 *
 * @module
 */
import type { JsonValue } from "@bufbuild/protobuf";

/** How the sketch is bounded. */
export interface TrafficSketchOptions {
  /** Distinct types counted per bucket; more are counted as "other". @default 256 */
  readonly maxTypes?: number;
  /** The sliding window, in ms. @default 300_000 (5 minutes) */
  readonly windowMs?: number;
  /** Buckets the window is cut into. @default 30 */
  readonly buckets?: number;
  /** Payloads kept per type (reservoir sampling); 0 keeps none. @default 0 */
  readonly samplesPerType?: number;
}

/** Recent traffic of one type. */
export interface TypeTraffic {
  readonly type: string;
  readonly count: number;
  /** Up to `samplesPerType` recent payloads, when sampling is on. */
  readonly samples: readonly (JsonValue | undefined)[];
}

/** What the sketch holds at one moment. */
export interface TrafficSnapshot {
  /** How much time the counts cover (the window, or less since the edge started), in ms. */
  readonly coveredMs: number;
  readonly total: number;
  /** Events of types beyond `maxTypes` in some bucket. */
  readonly other: number;
  /** Counted types, most frequent first. */
  readonly types: readonly TypeTraffic[];
  readonly sampling: boolean;
}

interface Bucket {
  start: number;
  readonly counts: Map<string, number>;
  other: number;
}

interface Reservoir {
  readonly items: (JsonValue | undefined)[];
  seen: number;
}

/** Counts events per type over a sliding window, in bounded memory. */
export class TrafficSketch {
  readonly #maxTypes: number;
  readonly #bucketMs: number;
  readonly #buckets: Bucket[];
  readonly #samplesPerType: number;
  readonly #reservoirs = new Map<string, Reservoir>();
  readonly #startedAt: number;
  readonly #random: () => number;

  /** `nowMs` is when counting starts; `random` gives numbers in [0, 1) for sampling. */
  constructor(options: TrafficSketchOptions = {}, nowMs = 0, random: () => number = Math.random) {
    this.#maxTypes = options.maxTypes ?? 256;
    const windowMs = options.windowMs ?? 300_000;
    const count = options.buckets ?? 30;
    this.#bucketMs = windowMs / count;
    this.#buckets = Array.from({ length: count }, () => ({ start: -Infinity, counts: new Map(), other: 0 }));
    this.#samplesPerType = options.samplesPerType ?? 0;
    this.#startedAt = nowMs;
    this.#random = random;
  }

  /** Counts one event of `type` at `nowMs`, and samples its data when sampling is on. */
  record(type: string, data: JsonValue | undefined, nowMs: number): void {
    const bucket = this.#bucketAt(nowMs);
    const count = bucket.counts.get(type);
    if (count !== undefined) bucket.counts.set(type, count + 1);
    else if (bucket.counts.size < this.#maxTypes) bucket.counts.set(type, 1);
    else {
      bucket.other++;
      return;
    }
    if (this.#samplesPerType > 0) this.#sample(type, data);
  }

  /** The counts of the window ending at `nowMs`: the `maxTypes` most frequent types, the rest as other. */
  snapshot(nowMs: number): TrafficSnapshot {
    const windowMs = this.#bucketMs * this.#buckets.length;
    const totals = new Map<string, number>();
    let other = 0;
    for (const bucket of this.#buckets) {
      if (bucket.start <= nowMs - windowMs) continue;
      other += bucket.other;
      for (const [type, count] of bucket.counts) totals.set(type, (totals.get(type) ?? 0) + count);
    }
    const sorted = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [, count] of sorted.slice(this.#maxTypes)) other += count;
    const types = sorted.slice(0, this.#maxTypes).map(([type, count]) => ({
      type,
      count,
      samples: [...(this.#reservoirs.get(type)?.items ?? [])],
    }));
    const total = types.reduce((sum, t) => sum + t.count, other);
    return {
      coveredMs: Math.max(1, Math.min(windowMs, nowMs - this.#startedAt)),
      total,
      other,
      types,
      sampling: this.#samplesPerType > 0,
    };
  }

  #bucketAt(nowMs: number): Bucket {
    const index = Math.floor(nowMs / this.#bucketMs);
    const bucket = this.#buckets[((index % this.#buckets.length) + this.#buckets.length) % this.#buckets.length]!;
    const start = index * this.#bucketMs;
    if (bucket.start !== start) {
      bucket.start = start;
      bucket.counts.clear();
      bucket.other = 0;
    }
    return bucket;
  }

  /** Reservoir sampling (Algorithm R, leaning to recent); reservoirs are kept for at most `maxTypes` types. */
  #sample(type: string, data: JsonValue | undefined): void {
    let reservoir = this.#reservoirs.get(type);
    if (reservoir === undefined) {
      if (this.#reservoirs.size >= this.#maxTypes) this.#reservoirs.delete(this.#reservoirs.keys().next().value!);
      reservoir = { items: [], seen: 0 };
      this.#reservoirs.set(type, reservoir);
    }
    // Capped, so that new payloads keep replacing old ones: the reservoir leans to recent traffic.
    reservoir.seen = Math.min(reservoir.seen + 1, this.#samplesPerType * 8);
    if (reservoir.items.length < this.#samplesPerType) reservoir.items.push(data);
    else {
      const slot = Math.floor(this.#random() * reservoir.seen);
      if (slot < this.#samplesPerType) reservoir.items[slot] = data;
    }
  }
}
