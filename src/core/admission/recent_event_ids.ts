/**
 * The edge's memory of recent event ids per player, for dropping resent duplicates. A client that
 * lost an ack resends the event with the same id; the edge then acks it again instead of writing
 * it twice. Memory is bounded twice: each player keeps only their latest `dedupPerPlayer` ids (and
 * the ids after their oldest still in flight, until it settles), and
 * when all players together hold more than `dedupMaxIds`, the players seen longest ago are
 * forgotten whole. Forgetting only costs a duplicate record downstream (delivery stays at least
 * once; consumers that dedupe on `veltrix-event-id` see each event once).
 *
 * A player here is the key the edge gives it, not a bare `sub`: ids are unique only per player, and
 * a `sub` only per issuer, so the edge keys each trusted issuer's players apart
 * (`src/edge/http/player_identity.ts`). Two keys never share ids, whatever ids they send.
 *
 * @module
 */

import type { VeltrixError } from "../errors/veltrix_error.ts";
import type { DeliveryListener } from "../routing/delivery_listener.ts";

/** What the window knows of one id. */
interface RecentEvent {
  readonly id: string;
  /** True once Kafka acknowledged the first copy. */
  acked: boolean;
  /** Duplicates that arrived while the first copy was in flight. */
  waiters: DeliveryListener[] | undefined;
}

/** Bounds of a {@link RecentEventIds}. */
export interface RecentEventIdsOptions {
  /** Ids remembered per player (per key given to {@link RecentEventIds.player}). @default 128 */
  readonly dedupPerPlayer: number;
  /** Ids remembered in all. @default 1000000 */
  readonly dedupMaxIds: number;
}

/** What every player's ids share: the bounds and the count of ids in all. */
interface Window {
  readonly dedupPerPlayer: number;
  readonly dedupMaxIds: number;
  size: number;
  /** Forgets the players seen longest ago until the ids in all are within `dedupMaxIds`. */
  readonly overflow: () => void;
}

/** Recent event ids per player: see the module doc. */
export class RecentEventIds {
  /** Players in the order they were last seen (re-inserted on each frame). */
  readonly #players = new Map<string, PlayerEventIds>();
  readonly #window: Window;

  constructor(options: RecentEventIdsOptions) {
    this.#window = {
      dedupPerPlayer: options.dedupPerPlayer,
      dedupMaxIds: options.dedupMaxIds,
      size: 0,
      overflow: () => this.#forgetPlayers(),
    };
  }

  /** Ids remembered in all. */
  get size(): number {
    return this.#window.size;
  }

  /**
   * The ids of `player`, marked as just seen. Call once per frame and keep the handle for the
   * frame's events.
   */
  player(player: string): PlayerEventIds {
    let ids = this.#players.get(player);
    if (ids === undefined) ids = new PlayerEventIds(this.#window);
    else this.#players.delete(player);
    this.#players.set(player, ids);
    return ids;
  }

  /**
   * The ids of `player` when they are remembered, without marking the player as seen: what a
   * settled event reports to. A player with an id in flight is never forgotten, so the handle an
   * event began in is the one found here.
   */
  of(player: string): PlayerEventIds | undefined {
    return this.#players.get(player);
  }

  #forgetPlayers(): void {
    for (const [player, ids] of this.#players) {
      if (this.#window.size <= this.#window.dedupMaxIds) return;
      if (ids.hasInFlight()) continue;
      this.#players.delete(player);
      this.#window.size -= ids.size;
    }
  }
}

/**
 * The recent ids of one player, and the duplicates waiting on those still in flight. Got from
 * {@link RecentEventIds.player}; the first copy's outcome is told to it with {@link delivered}
 * or {@link failed}, and it tells the waiting duplicates.
 */
export class PlayerEventIds {
  readonly #ids = new Map<string, RecentEvent>();
  /**
   * The entries in the order they began, from `#head` on (entries forgotten meanwhile are left
   * in place and skipped): the oldest is found without walking the Map, whose deleted slots a walk
   * from its start would step over one by one.
   */
  #order: RecentEvent[] = [];
  #head = 0;
  readonly #window: Window;

  constructor(window: Window) {
    this.#window = window;
  }

  /** Ids remembered for this player. */
  get size(): number {
    return this.#ids.size;
  }

  /** Entries the order list holds, swept or not: stays within about twice `size` plus 64. */
  get orderedEntries(): number {
    return this.#order.length - this.#head;
  }

  /** The ids remembered, oldest first. */
  ids(): IterableIterator<string> {
    return this.#ids.keys();
  }

  /** Whether `id` is remembered, and acked (true) or still in flight (false); undefined when not. */
  acked(id: string): boolean | undefined {
    return this.#ids.get(id)?.acked;
  }

  /** True when some id of this player is still in flight. */
  hasInFlight(): boolean {
    for (const entry of this.#ids.values()) if (!entry.acked) return true;
    return false;
  }

  /**
   * Answers a resend of `id` when this player sent it recently: `listener` hears the ack at once
   * when the first copy was acked, or the first copy's outcome while that is in flight. Returns
   * false, and does nothing, for an id not remembered.
   */
  answerResend(id: string, listener: DeliveryListener): boolean {
    const earlier = this.#ids.get(id);
    if (earlier === undefined) return false;
    if (earlier.acked) listener.delivered(id);
    else (earlier.waiters ??= []).push(listener);
    return true;
  }

  /** Remembers a new id as in flight. */
  begin(id: string): void {
    const entry: RecentEvent = { id, acked: false, waiters: undefined };
    this.#ids.set(id, entry);
    this.#order.push(entry);
    const window = this.#window;
    window.size++;
    if (this.#ids.size > window.dedupPerPlayer) this.#dropOldest();
    else if (this.#order.length - this.#head > 2 * this.#ids.size + 64) {
      // Ids that failed (forgotten) pile up in the order list while the player stays under the
      // bound, as during a Kafka outage: keep only what is remembered.
      this.#order = this.#order.slice(this.#head).filter((e) => this.#ids.get(e.id) === e);
      this.#head = 0;
    }
    if (window.size > window.dedupMaxIds) window.overflow();
  }

  /** The first copy of `id` was acked: it stays remembered as acked, and its waiting duplicates are acked. */
  delivered(id: string): void {
    const entry = this.#ids.get(id);
    if (entry === undefined) return;
    entry.acked = true;
    const waiters = entry.waiters;
    if (waiters === undefined) return;
    entry.waiters = undefined;
    for (const waiter of waiters) waiter.delivered(id);
  }

  /**
   * The first copy of `id` failed: it is forgotten, so that a resend is written, and its waiting
   * duplicates fail too (their clients resend).
   */
  failed(id: string, error: VeltrixError): void {
    const entry = this.#ids.get(id);
    if (entry === undefined) return;
    this.#ids.delete(id);
    this.#window.size--;
    if (entry.waiters === undefined) return;
    for (const waiter of entry.waiters) waiter.failed(id, error);
  }

  /**
   * Drops the oldest ids while the player holds more than `dedupPerPlayer`, down to the oldest
   * still in flight: that one and every id after it stay until it settles (the per-connection
   * in-flight bound and the produce timeout keep that short, and `dedupMaxIds` bounds it all).
   * Amortised O(1) per event, even when many are in flight.
   */
  #dropOldest(): void {
    const order = this.#order;
    while (this.#ids.size > this.#window.dedupPerPlayer && this.#head < order.length) {
      const oldest = order[this.#head]!;
      if (this.#ids.get(oldest.id) !== oldest) {
        this.#head++; // forgotten already (failed), or begun again since
        continue;
      }
      if (!oldest.acked) break;
      this.#forget(oldest);
      this.#head++;
    }
    if (this.#head > 64 && this.#head * 2 > order.length) {
      this.#order = order.slice(this.#head);
      this.#head = 0;
    }
  }

  #forget(entry: RecentEvent): void {
    this.#ids.delete(entry.id);
    this.#window.size--;
  }
}
