import { TokenBucket } from "../../core/token_bucket.ts";

/** What the edge keeps per player while they have connections open. */
interface PlayerEntry {
  connections: number;
  readonly bucket: TokenBucket | undefined;
}

/**
 * Open connections per player, and each player's shared rate-limit bucket. An entry lives while
 * the player has a connection, so memory follows open connections.
 */
export class PlayerConnections {
  readonly #players = new Map<string, PlayerEntry>();
  readonly #ratePerPlayer: number | undefined;

  constructor(ratePerPlayer: number | undefined) {
    this.#ratePerPlayer = ratePerPlayer;
  }

  /** Open connections of `player`. */
  count(player: string): number {
    return this.#players.get(player)?.connections ?? 0;
  }

  /** Records a new connection of `player`; returns the player's shared bucket. */
  open(player: string, nowMs: number): TokenBucket | undefined {
    let entry = this.#players.get(player);
    if (entry === undefined) {
      const rate = this.#ratePerPlayer;
      entry = { connections: 0, bucket: rate === undefined ? undefined : new TokenBucket(rate, rate * 2, nowMs) };
      this.#players.set(player, entry);
    }
    entry.connections++;
    return entry.bucket;
  }

  /** Records that a connection of `player` closed. */
  close(player: string): void {
    const entry = this.#players.get(player);
    if (entry === undefined) return;
    if (--entry.connections <= 0) this.#players.delete(player);
  }
}
