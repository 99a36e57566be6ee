import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import { kafkaSecurityFailureOf } from "./kafka_security_failure.ts";

/** What one producer's last write said. */
interface WriteState {
  writable: boolean;
  credentialsAccepted: boolean;
  tlsVerified: boolean;
}

/**
 * The write health of every producer of events of an edge (the main one and each produce lane's):
 * a readiness condition holds only while it holds for all of them, so that a lane whose writes
 * fail, or whose credentials Kafka refuses, makes the edge not ready as the main producer would.
 */
export class ProducerHealth {
  readonly #readiness: Readiness;
  readonly #log: RateLimitedLog;
  readonly #conditions: { readonly writable: string; readonly credentials: string; readonly tls: string };
  readonly #states = new Map<string, WriteState>();

  constructor(
    readiness: Readiness,
    log: RateLimitedLog,
    conditions: { readonly writable: string; readonly credentials: string; readonly tls: string },
  ) {
    this.#readiness = readiness;
    this.#log = log;
    this.#conditions = conditions;
  }

  /**
   * Tracks producer `name`; returns what its sink's `onWritable` calls: `false` while a write fails
   * and is retried (with the failure as `cause`), `true` once a write lands.
   */
  add(name: string): (writable: boolean, cause?: unknown) => void {
    const state: WriteState = { writable: true, credentialsAccepted: true, tlsVerified: true };
    this.#states.set(name, state);
    return (writable, cause) => {
      state.writable = writable;
      const failure = writable ? undefined : kafkaSecurityFailureOf(cause);
      if (failure !== undefined) {
        this.#log.error(`kafka.${failure.kind}`, "kafka refused the edge's security; not ready, writes retried", {
          producer: name,
          cause: failure.kind === "auth" ? "authentication failed" : "TLS handshake failed",
          reason: failure.reason,
        });
      }
      if (writable || failure !== undefined) {
        state.credentialsAccepted = failure?.kind !== "auth";
        state.tlsVerified = failure?.kind !== "tls";
      }
      if (this.#states.get(name) === state) this.#publish();
    };
  }

  /** Stops tracking producer `name` (its lane closed). */
  remove(name: string): void {
    if (this.#states.delete(name)) this.#publish();
  }

  #publish(): void {
    let writable = true, credentials = true, tls = true;
    for (const state of this.#states.values()) {
      writable &&= state.writable;
      credentials &&= state.credentialsAccepted;
      tls &&= state.tlsVerified;
    }
    this.#readiness.set(this.#conditions.writable, writable);
    this.#readiness.set(this.#conditions.credentials, credentials);
    this.#readiness.set(this.#conditions.tls, tls);
  }
}
