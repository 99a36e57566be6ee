/**
 * One simulated treasure-hunt player: a small state machine that picks a chest (a click), walks
 * to it in a few moves (looking around now and then: another click, or a skipped quest), opens it,
 * then collects its gold or, when it is empty, skips it. Over many steps its events follow the
 * shares of the treasure-hunt mix (`bench/treasure_hunt_mix.ts`).
 *
 * @module
 */
import type { JsonValue } from "../../src/client/mod.ts";

/** One event a hunter sends. */
export interface HuntEvent {
  readonly type: string;
  readonly data: JsonValue;
}

/** Side of the square map, in map units. */
export const MAP_SIZE = 512;
/** Chests on the map, numbered from 0. */
export const CHESTS = 300;

/** Where chest `chest` stands: a fixed scatter over the map, the same for every hunter. */
export function chestPosition(chest: number): { x: number; y: number } {
  return { x: (chest * 97 + 13) % MAP_SIZE, y: (chest * 193 + 57) % MAP_SIZE };
}

/** The zone (0 to 8, a 3 by 3 grid) a map position is in. */
export function zoneOf(x: number, y: number): number {
  const third = MAP_SIZE / 3;
  return Math.min(2, Math.floor(x / third)) + 3 * Math.min(2, Math.floor(y / third));
}

/** Share of steps that are a lobby heartbeat, whatever the hunter is doing. */
const HEARTBEAT = 0.02;
/** While walking, shares of steps spent clicking around or skipping a quest instead of moving. */
const WANDER_CLICK = 0.048;
const WANDER_SKIP = 0.064;
/** Share of opened chests that hold gold; the rest are empty and skipped. */
const FULL_CHEST = 11 / 12;
/** Fewest and most moves a walk to a chest takes. */
const WALK_MIN = 2;
const WALK_MAX = 7;

type _Phase = "choosing" | "walking" | "opening" | "looting";

/**
 * A simulated player. {@link next} gives its next event; call it at the player's rate.
 *
 * @example
 * ```ts
 * import { TreasureHunter } from "./treasure_hunter.ts";
 *
 * const hunter = new TreasureHunter();
 * const first = hunter.next(); // a click on the chest it heads for (or a heartbeat)
 * ```
 */
export class TreasureHunter {
  readonly #random: () => number;
  #phase: _Phase = "choosing";
  #x: number;
  #y: number;
  #chest = 0;
  #stepsLeft = 0;

  /** `random` gives numbers in [0, 1) (inject a seeded one for repeatable runs). @default Math.random */
  constructor(random: () => number = Math.random) {
    this.#random = random;
    this.#x = this.#int(MAP_SIZE);
    this.#y = this.#int(MAP_SIZE);
  }

  /** Where the hunter stands, in whole map units. */
  get position(): { x: number; y: number } {
    return { x: Math.round(this.#x), y: Math.round(this.#y) };
  }

  /** The hunter's next event, moving it along its hunt. */
  next(): HuntEvent {
    if (this.#random() < HEARTBEAT) return { type: "lobby.heartbeat", data: null };
    switch (this.#phase) {
      case "choosing":
        this.#chest = this.#int(CHESTS);
        this.#stepsLeft = WALK_MIN + this.#int(WALK_MAX - WALK_MIN + 1);
        this.#phase = "walking";
        return { type: "player.clicked", data: { target: `chest-${this.#chest}` } };
      case "walking":
        return this.#walk();
      case "opening":
        this.#phase = "looting";
        return { type: "treasure.opened", data: { chest: this.#chest } };
      case "looting":
        this.#phase = "choosing";
        if (this.#random() < FULL_CHEST) {
          const gold = 10 + this.#int(90);
          return { type: "treasure.collected", data: { chest: this.#chest, gold, rare: this.#random() < 1 / 17 } };
        }
        return { type: "player.skipped", data: { quest: `chest-${this.#chest}-empty` } };
    }
  }

  /** One step of the walk: mostly a move toward the chest, sometimes a look around. */
  #walk(): HuntEvent {
    const roll = this.#random();
    if (roll < WANDER_CLICK) return { type: "player.clicked", data: { target: `chest-${this.#int(CHESTS)}` } };
    if (roll < WANDER_CLICK + WANDER_SKIP) return { type: "player.skipped", data: { quest: `q-${this.#int(40)}` } };
    const chest = chestPosition(this.#chest);
    if (--this.#stepsLeft === 0) {
      this.#x = chest.x;
      this.#y = chest.y;
      this.#phase = "opening";
    } else {
      this.#x += (chest.x - this.#x) / (this.#stepsLeft + 1);
      this.#y += (chest.y - this.#y) / (this.#stepsLeft + 1);
    }
    const { x, y } = this.position;
    return { type: "player.moved", data: { x, y, zone: zoneOf(x, y) } };
  }

  #int(below: number): number {
    return Math.floor(this.#random() * below);
  }
}
