/**
 * When each connection's token runs out, kept in one-second buckets so that an edge with 100k
 * connections needs one timer in all (a sweep once a second) instead of one per connection, and
 * the sweep touches only the connections that are due. A connection is closed at most one bucket
 * (a second) after its deadline.
 *
 * @module
 */

/** Bucket width, in ms. */
const BUCKET_MS = 1_000;

/** Deadlines of items, by the second they fall in. */
export class SessionExpiry<T> {
  readonly #buckets = new Map<number, Set<T>>();
  readonly #bucketOf = new Map<T, number>();
  /** The earliest bucket that may still hold an item. */
  #next = Infinity;

  /** Items with a deadline. */
  get size(): number {
    return this.#bucketOf.size;
  }

  /** Sets (or moves) `item`'s deadline to `atMs`. */
  schedule(item: T, atMs: number): void {
    this.cancel(item);
    const bucket = Math.ceil(atMs / BUCKET_MS);
    let items = this.#buckets.get(bucket);
    if (items === undefined) {
      items = new Set();
      this.#buckets.set(bucket, items);
    }
    items.add(item);
    this.#bucketOf.set(item, bucket);
    if (bucket < this.#next) this.#next = bucket;
  }

  /** Forgets `item` (its connection closed). */
  cancel(item: T): void {
    const bucket = this.#bucketOf.get(item);
    if (bucket === undefined) return;
    this.#bucketOf.delete(item);
    const items = this.#buckets.get(bucket)!;
    items.delete(item);
    if (items.size === 0) this.#buckets.delete(bucket);
  }

  /** Removes and returns every item whose deadline is at or before `nowMs` (within its second). */
  due(nowMs: number): T[] {
    const last = Math.floor(nowMs / BUCKET_MS);
    const due: T[] = [];
    if (this.#buckets.size === 0) {
      this.#next = Infinity;
      return due;
    }
    // Walk the seconds from the earliest bucket on; after a long pause, jump over empty ones.
    if (last - this.#next > this.#buckets.size) {
      for (const [bucket, items] of this.#buckets) if (bucket <= last) this.#take(bucket, items, due);
    } else {
      for (let bucket = this.#next; bucket <= last; bucket++) {
        const items = this.#buckets.get(bucket);
        if (items !== undefined) this.#take(bucket, items, due);
      }
    }
    this.#next = last + 1;
    return due;
  }

  #take(bucket: number, items: Set<T>, into: T[]): void {
    for (const item of items) {
      into.push(item);
      this.#bucketOf.delete(item);
    }
    this.#buckets.delete(bucket);
  }
}
