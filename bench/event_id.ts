/**
 * The player names and event ids a load run uses. An id names its run, its player and its number
 * in the treasure-hunt mix (`bench/treasure_hunt_mix.ts`), so a read-back can tell from the id
 * alone which topics the event belongs in and which key it must carry.
 *
 * @module
 */

/** The name (the token's `sub`, so the record key) of player number `player` of load run `run`. */
export function playerName(run: string, player: number): string {
  return `bench-${run}-p${player}`;
}

/** What every id that player `player` of `run` sends starts with; the event's number in the mix follows. */
export function eventIdPrefix(run: string, player: number): string {
  return `${run}-p${player}-`;
}

/** The parts of an event id made by `eventIdPrefix`, or undefined for an id of another shape. */
export function parseEventId(id: string): { run: string; player: number; n: number } | undefined {
  const match = /^(.+)-p(\d+)-(\d+)$/.exec(id);
  return match ? { run: match[1]!, player: Number(match[2]), n: Number(match[3]) } : undefined;
}
