/**
 * What the edge needs before it can take events, as named conditions. Each part of the edge adds
 * its own and sets it: the Kafka side (producer connected, Kafka accepting writes, the table's
 * topics present), the control plane (route table loaded), the ingest side (accepting connections),
 * and each JWKS issuer (its keys fetched). `/readyz` lists them.
 */
export class Readiness {
  readonly #conditions = new Map<string, boolean>();
  readonly #reasons = new Map<string, string>();

  constructor(names: readonly string[] = []) {
    for (const name of names) this.add(name);
  }

  /** Adds a condition, not yet met; each part of the edge adds its own as it starts. */
  add(name: string): void {
    if (!this.#conditions.has(name)) this.#conditions.set(name, false);
  }

  /** Marks one condition met or not; `reason` says why one is not met (kept until it is). */
  set(name: string, met: boolean, reason?: string): void {
    this.#conditions.set(name, met);
    if (met || reason === undefined) this.#reasons.delete(name);
    else this.#reasons.set(name, reason);
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

  /** Why each unmet condition that has a reason is not met. */
  reasons(): Record<string, string> {
    return Object.fromEntries(this.#reasons);
  }
}
