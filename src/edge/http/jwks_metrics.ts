import client from "prom-client";
import type { JwksObserver } from "./jwks_issuers.ts";

/**
 * The JWKS metrics, on the edge's registry: `veltrix_jwks_fetches_total{issuer,outcome}`,
 * `veltrix_jwks_keys{issuer}` (keys in the last set fetched) and
 * `veltrix_jwks_last_success_seconds{issuer}` (unix time of the last fetch that worked).
 */
export class JwksMetrics implements JwksObserver {
  readonly #fetches: client.Counter<"issuer" | "outcome">;
  readonly #keys: client.Gauge<"issuer">;
  readonly #lastSuccess: client.Gauge<"issuer">;

  constructor(registry: client.Registry, issuers: readonly string[] = []) {
    const registers = [registry];
    this.#fetches = new client.Counter({
      name: "veltrix_jwks_fetches_total",
      help: "Fetches of a trusted issuer's JWKS, by outcome (ok, error).",
      labelNames: ["issuer", "outcome"],
      registers,
    });
    this.#keys = new client.Gauge({
      name: "veltrix_jwks_keys",
      help: "Keys in the last JWKS fetched from each trusted issuer.",
      labelNames: ["issuer"],
      registers,
    });
    this.#lastSuccess = new client.Gauge({
      name: "veltrix_jwks_last_success_seconds",
      help: "Unix time of the last JWKS fetch from each trusted issuer that worked.",
      labelNames: ["issuer"],
      registers,
    });
    // Every series exists from the start, so that an issuer that never answers shows as 0.
    for (const issuer of issuers) {
      for (const outcome of ["ok", "error"]) this.#fetches.inc({ issuer, outcome }, 0);
      this.#keys.set({ issuer }, 0);
      this.#lastSuccess.set({ issuer }, 0);
    }
  }

  fetched(issuer: string, outcome: "ok" | "error", keys?: number): void {
    this.#fetches.inc({ issuer, outcome });
    if (outcome !== "ok") return;
    this.#keys.set({ issuer }, keys ?? 0);
    this.#lastSuccess.set({ issuer }, Date.now() / 1000);
  }
}
