import type { RoutedEvent } from "../../src/consumer/mod.ts";

/** One row of the board. */
export interface LeaderboardRow {
  readonly rank: number;
  readonly player: string;
  readonly gold: number;
  readonly chests: number;
}

/**
 * The live leaderboard: the gold each player has collected, from `treasure.collected` events
 * (`data.gold`, a non-negative number). It trusts its caller to hand each event over once: the
 * consumer runner dedupes by event id.
 */
export class Leaderboard {
  readonly #players = new Map<string, { gold: number; chests: number }>();

  /** Counts one event. Throws for a `treasure.collected` event without a usable `data.gold`. */
  apply(event: RoutedEvent): void {
    if (event.type !== "treasure.collected") return;
    const gold = (event.data as { gold?: unknown } | null | undefined)?.gold;
    if (typeof gold !== "number" || !Number.isFinite(gold) || gold < 0) {
      throw new Error(`event ${event.id} has no usable data.gold (${JSON.stringify(gold)})`);
    }
    const row = this.#players.get(event.player) ?? { gold: 0, chests: 0 };
    row.gold += gold;
    row.chests += 1;
    this.#players.set(event.player, row);
  }

  /** The `limit` players with the most gold, most first (ties by name). */
  top(limit: number): LeaderboardRow[] {
    return this.#ranked().slice(0, limit);
  }

  /** The row of `player`, with its rank; undefined before the player collected anything. */
  standing(player: string): LeaderboardRow | undefined {
    return this.#players.has(player) ? this.#ranked().find((row) => row.player === player) : undefined;
  }

  #ranked(): LeaderboardRow[] {
    return [...this.#players]
      .sort(([a, x], [b, y]) => y.gold - x.gold || a.localeCompare(b))
      .map(([player, { gold, chests }], i) => ({ rank: i + 1, player, gold, chests }));
  }
}
