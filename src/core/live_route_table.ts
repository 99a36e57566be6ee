import type { RouteTable } from "./route_table.ts";

/**
 * The one reference to the route table in force. Readers take `current` once per frame, so an
 * event in flight finishes on the table it started with; `swap` replaces the reference in one
 * assignment and never touches the old table.
 */
export class ActiveRouteTable {
  #current: RouteTable;
  #appliedAt: Date;

  constructor(initial: RouteTable, appliedAt = new Date()) {
    this.#current = initial;
    this.#appliedAt = appliedAt;
  }

  /** The table in force now. */
  get current(): RouteTable {
    return this.#current;
  }

  /** When the table in force was put there. */
  get appliedAt(): Date {
    return this.#appliedAt;
  }

  /** Puts `next` in force and returns the table it replaced. */
  swap(next: RouteTable, appliedAt = new Date()): RouteTable {
    const previous = this.#current;
    this.#current = next;
    this.#appliedAt = appliedAt;
    return previous;
  }
}
