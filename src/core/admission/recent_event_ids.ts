/**
 * The edge's memory of recent event ids per player, for dropping resent duplicates. A client that
 * lost an ack resends the event with the same id; the edge then acks it again instead of writing
 * it twice. Memory is bounded twice: each player keeps only their latest `perPlayer` ids, and when
 * all players together hold more than `maxIds`, the players seen longest ago are forgotten whole.
 * Forgetting only costs a duplicate record downstream (delivery stays at least once; consumers
 * that dedupe on `veltrix-event-id` see each event once).
 *
 * @module
 */

import type { DeliveryListener } from "../routing/delivery_listener.ts";

/** What the window knows of one id. */
export interface RecentEvent {
  /** True once Kafka acknowledged the first copy. */
  acked: boolean;
  /** Duplicates that arrived while the first copy was in flight. */
  waiters: DeliveryListener[] | undefined;
}

/** Bounds of a {@link RecentEventIds}. */
export interface RecentEventIdsOptions {
  /** Ids remembered per player. @default 128 */
  readonly perPlayer: number;
  /** Ids remembered in all. @default 1000000 */
  readonly maxIds: number;
}

/** Recent event ids per player: see the module doc. */
export class RecentEventIds {
  readonly #perPlayer: number;
  readonly #maxIds: number;
  /** Players in the order they were last seen (re-inserted on each frame). */
  readonly #players = new Map<string, Map<string, RecentEvent>>();
  #size = 0;

  constructor(options: RecentEventIdsOptions) {
    this.#perPlayer = options.perPlayer;
    this.#maxIds = options.maxIds;
  }

  /** Ids remembered in all. */
  get size(): number {
    return this.#size;
  }

  /**
   * The ids of `player`, marked as just seen. Call once per frame and keep the result for the
   * frame's events.
   */
  player(player: string): Map<string, RecentEvent> {
    let ids = this.#players.get(player);
    if (ids === undefined) ids = new Map();
    else this.#players.delete(player);
    this.#players.set(player, ids);
    return ids;
  }

  /** Remembers a new id as in flight. `ids` comes from {@link player}. */
  begin(ids: Map<string, RecentEvent>, id: string): RecentEvent {
    const entry: RecentEvent = { acked: false, waiters: undefined };
    ids.set(id, entry);
    this.#size++;
    if (ids.size > this.#perPlayer) this.#dropOldest(ids);
    if (this.#size > this.#maxIds) this.#forgetPlayers();
    return entry;
  }

  /** The first copy of `id` was acked: returns the duplicates waiting on it. */
  acked(player: string, id: string): DeliveryListener[] | undefined {
    const entry = this.#players.get(player)?.get(id);
    if (entry === undefined) return undefined;
    entry.acked = true;
    const waiters = entry.waiters;
    entry.waiters = undefined;
    return waiters;
  }

  /**
   * The first copy of `id` failed: forgets it, so that a resend is written, and returns the
   * duplicates that were waiting (they must be told to resend too).
   */
  failed(player: string, id: string): DeliveryListener[] | undefined {
    const ids = this.#players.get(player);
    const entry = ids?.get(id);
    if (entry === undefined) return undefined;
    ids!.delete(id);
    this.#size--;
    return entry.waiters;
  }

  #dropOldest(ids: Map<string, RecentEvent>): void {
    // Drop the oldest acked id; one still in flight stays until it settles (the per-connection
    // in-flight bound keeps those few).
    for (const [id, entry] of ids) {
      if (!entry.acked) continue;
      ids.delete(id);
      this.#size--;
      return;
    }
  }

  #forgetPlayers(): void {
    for (const [player, ids] of this.#players) {
      if (this.#size <= this.#maxIds) return;
      let inFlight = false;
      for (const entry of ids.values()) {
        if (!entry.acked) {
          inFlight = true;
          break;
        }
      }
      if (inFlight) continue;
      this.#players.delete(player);
      this.#size -= ids.size;
    }
  }
}
