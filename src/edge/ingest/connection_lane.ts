import type { ProduceLane, ProduceLanes } from "./produce_lanes.ts";

/**
 * The produce lane one connection writes through, and the lane it is to move to when a new map
 * gives the connection another tenant label. It moves only once none of the connection's events is
 * pending in the lane it leaves (each acked or failed): a connection's events never sit in two
 * lanes at once, so they reach Kafka in the order they came. Until then it keeps the old lane.
 */
export class ConnectionLane {
  readonly #lanes: ProduceLanes | undefined;
  #current: ProduceLane;
  /** The tenant label whose lane it moves to once nothing is pending; undefined when it stays. */
  #next: string | undefined;
  #left = false;

  /** `current` is the lane joined when the connection opened (of `lanes`, or the context's batcher when undefined). */
  constructor(current: ProduceLane, lanes: ProduceLanes | undefined) {
    this.#current = current;
    this.#lanes = lanes;
  }

  /** The lane the connection's events go through now. */
  get current(): ProduceLane {
    return this.#current;
  }

  /** The tenant label of the lane it waits to move to, or undefined when it stays where it is. */
  get next(): string | undefined {
    return this.#next;
  }

  /**
   * Moves to the lane of tenant `label` now when `pending` (the connection's events not yet acked
   * or failed) is 0, else when {@link settled} is called. A later call replaces an earlier one that
   * has not happened yet; one naming the current lane cancels it.
   */
  moveTo(label: string, pending: number): void {
    if (this.#lanes === undefined || this.#left) return;
    this.#next = label === this.#current.label ? undefined : label;
    if (pending === 0) this.settled();
  }

  /** None of the connection's events is pending any more: a move that waited for that happens now. */
  settled(): void {
    const label = this.#next;
    if (label === undefined || this.#lanes === undefined || this.#left) return;
    this.#next = undefined;
    const joined = this.#lanes.join(label);
    this.#lanes.leave(this.#current);
    this.#current = joined;
  }

  /** The connection is gone: it leaves its lane (which may then close) and moves no more. */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#next = undefined;
    this.#lanes?.leave(this.#current);
  }
}
