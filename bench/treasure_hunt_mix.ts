/**
 * The treasure-hunt event mix that load runs and demos send, with the topics the embedded default
 * route map must send each type to (written out by hand, from the spec, not computed by the router).
 *
 * @module
 */

/** One kind of event in the mix. */
export interface MixEntry {
  readonly type: string;
  /** Share of all events, out of 100. */
  readonly weight: number;
  /** Where the default map must route it. */
  readonly topics: readonly string[];
  readonly data: (n: number) => unknown;
}

/** Moves dominate; pickups and skips are rarer; a few types no route matches go to dead letter. */
export const TREASURE_HUNT_MIX: readonly MixEntry[] = [
  {
    type: "player.moved",
    weight: 55,
    topics: ["game.player-activity"],
    data: (n) => ({ x: n % 512, y: (n * 7) % 512, zone: n % 9 }),
  },
  {
    type: "player.clicked",
    weight: 15,
    topics: ["game.player-activity"],
    data: (n) => ({ target: `chest-${n % 300}` }),
  },
  { type: "player.skipped", weight: 5, topics: ["game.player-activity"], data: (n) => ({ quest: `q-${n % 40}` }) },
  { type: "treasure.opened", weight: 12, topics: ["game.treasure"], data: (n) => ({ chest: n % 300 }) },
  {
    type: "treasure.collected",
    weight: 11,
    topics: ["game.treasure", "game.leaderboard"],
    data: (n) => ({ chest: n % 300, gold: 10 + (n % 90), rare: n % 17 === 0 }),
  },
  { type: "lobby.heartbeat", weight: 2, topics: ["veltrix.unrouted"], data: () => null },
];

/** Every topic the mix writes to under the default map. */
export const MIX_TOPICS: readonly string[] = [...new Set(TREASURE_HUNT_MIX.flatMap((e) => e.topics))].sort();

/** The mix entry for the `n`-th event: a fixed, evenly spread sequence, the same on every run. */
export function mixEntry(n: number): MixEntry {
  let slot = (n * 37) % 100;
  for (const entry of TREASURE_HUNT_MIX) {
    if (slot < entry.weight) return entry;
    slot -= entry.weight;
  }
  return TREASURE_HUNT_MIX[0]!;
}
