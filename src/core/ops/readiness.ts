/**
 * What the edge needs before it can take events: a connected producer, a loaded route table and
 * that table's topics present in Kafka. Each condition is set by the part that owns it.
 */
export class Readiness {
  readonly #conditions = new Map<string, boolean>();

  constructor(names: readonly string[] = []) {
    for (const name of names) this.add(name);
  }

  /** Adds a condition, not yet met; each part of the edge adds its own as it starts. */
  add(name: string): void {
    if (!this.#conditions.has(name)) this.#conditions.set(name, false);
  }

  /** Marks one condition met or not. */
  set(name: string, met: boolean): void {
    this.#conditions.set(name, met);
  }

  /** True when every condition is met. */
  get ready(): boolean {
    for (const met of this.#conditions.values()) if (!met) return false;
    return true;
  }

  /** Each condition and whether it is met. */
  snapshot(): Record<string, boolean> {
    return Object.fromEntries(this.#conditions);
  }
}
