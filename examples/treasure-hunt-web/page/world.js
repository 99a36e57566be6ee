// @ts-check
/**
 * The treasure hunt's rules, with no I/O: a grid, a player who moves one cell at a time, and
 * chests of gold. Each step returns the events it makes; the page sends them through the SDK.
 * A round's chests come from its number, so every player hunts the same chests.
 *
 * @module
 */

/** Cells across. */
export const COLS = 16;
/** Cells down. */
export const ROWS = 10;
/** Chests in a round. */
export const CHESTS_PER_ROUND = 6;

/** @typedef {{ id: number, x: number, y: number, gold: number }} Chest */
/**
 * What a player has done so far; the page keeps it in `sessionStorage`, so a reload goes on.
 * `seq` numbers the player's events 1, 2, 3, ... and lets anyone check that none was lost.
 * @typedef {{ x: number, y: number, round: number, collected: number[], gold: number, seq: number }} PlayerState
 */
/** @typedef {{ type: "player.moved", data: { seq: number, x: number, y: number } }} MovedEvent */
/** @typedef {{ type: "treasure.collected", data: { seq: number, chest: number, round: number, gold: number } }} CollectedEvent */
/** @typedef {MovedEvent | CollectedEvent} GameEvent */

/** A player at the grid's centre, before any event. @returns {PlayerState} */
export function newPlayer() {
  return { x: Math.floor(COLS / 2), y: Math.floor(ROWS / 2), round: 1, collected: [], gold: 0, seq: 0 };
}

/**
 * The chests of `round`, from a small seeded generator (mulberry32): never on the centre cell,
 * never two on one cell.
 * @param {number} round
 * @returns {Chest[]}
 */
export function chestsOf(round) {
  let seed = (round * 0x9e3779b9) >>> 0;
  const next = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** @type {Chest[]} */
  const chests = [];
  const taken = new Set([`${Math.floor(COLS / 2)},${Math.floor(ROWS / 2)}`]);
  while (chests.length < CHESTS_PER_ROUND) {
    const x = Math.floor(next() * COLS);
    const y = Math.floor(next() * ROWS);
    if (taken.has(`${x},${y}`)) continue;
    taken.add(`${x},${y}`);
    chests.push({ id: round * 100 + chests.length, x, y, gold: 10 + Math.floor(next() * 9) * 5 });
  }
  return chests;
}

/**
 * The chests of the player's round still to collect.
 * @param {PlayerState} player
 * @returns {Chest[]}
 */
export function chestsLeft(player) {
  return chestsOf(player.round).filter((chest) => !player.collected.includes(chest.id));
}

/**
 * One step by (`dx`, `dy`). A step off the grid does nothing; any other makes a `player.moved`
 * event, and a `treasure.collected` event when it lands on a chest. The last chest of a round
 * starts the next one.
 * @param {PlayerState} player
 * @param {number} dx
 * @param {number} dy
 * @returns {{ player: PlayerState, events: GameEvent[] }}
 */
export function step(player, dx, dy) {
  const x = player.x + dx;
  const y = player.y + dy;
  if (x < 0 || y < 0 || x >= COLS || y >= ROWS || (dx === 0 && dy === 0)) return { player, events: [] };
  let seq = player.seq;
  /** @type {GameEvent[]} */
  const events = [{ type: "player.moved", data: { seq: ++seq, x, y } }];
  let { round, collected, gold } = player;
  const chest = chestsLeft(player).find((c) => c.x === x && c.y === y);
  if (chest) {
    events.push({ type: "treasure.collected", data: { seq: ++seq, chest: chest.id, round, gold: chest.gold } });
    gold += chest.gold;
    collected = [...collected, chest.id];
    if (collected.length === CHESTS_PER_ROUND) {
      round += 1;
      collected = [];
    }
  }
  return { player: { x, y, round, collected, gold, seq }, events };
}

/**
 * The steps from the player to (`x`, `y`), one cell each: across first, then down or up.
 * @param {{ x: number, y: number }} from
 * @param {{ x: number, y: number }} to
 * @returns {[number, number][]}
 */
export function pathTo(from, to) {
  /** @type {[number, number][]} */
  const steps = [];
  for (let x = from.x; x !== to.x; x += Math.sign(to.x - x)) steps.push([Math.sign(to.x - x), 0]);
  for (let y = from.y; y !== to.y; y += Math.sign(to.y - y)) steps.push([0, Math.sign(to.y - y)]);
  return steps;
}
