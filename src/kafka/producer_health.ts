import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import { type KafkaSecurityFailure, kafkaSecurityFailureOf } from "./security_failure/kafka_security_failure.ts";

/** The cause each kind of security failure is logged with. */
const SECURITY_CAUSES: Record<KafkaSecurityFailure["kind"], string> = {
  auth: "authentication failed",
  tls: "TLS handshake failed",
  "client-certificate": "the broker refused the edge's client certificate",
};

/** What one producer's last write said. */
interface WriteState {
  writable: boolean;
  credentialsAccepted: boolean;
  tlsVerified: boolean;
  /** The report number at which its writes started failing; 0 while they land. */
  failingSince: number;
  /** The report number of its last landed write; 0 before its first. */
  landedAt: number;
  /** The `failingSince` of the episode last probed, so that each episode is probed once. */
  probed: number;
}

/**
 * Asks the brokers directly whether a failure the client did not name is a security refusal (see
 * `security_failure/broker_tls_alert.ts`): @platformatic/kafka reports a refused client
 * certificate as "Connection closed".
 */
export type SecurityProbe = () => Promise<KafkaSecurityFailure | undefined>;

/**
 * The write health of every producer of events of an edge (the main one and each produce lane's).
 * Refused credentials and failed TLS handshakes on any producer make the edge not ready: they hold
 * for every producer alike. A failing write makes it not ready unless another producer landed a
 * write since that failure began: then Kafka takes this edge's writes, and the failure belongs to
 * the topics of one lane (one tenant), whose events are held and retried without taking every
 * other tenant's players off the edge.
 */
export class ProducerHealth {
  readonly #readiness: Readiness;
  readonly #log: RateLimitedLog;
  readonly #conditions: { readonly writable: string; readonly credentials: string; readonly tls: string };
  readonly #states = new Map<string, WriteState>();
  /** Counts reports, so that "landed after that failure began" needs no clock. */
  #reports = 0;
  /** The lanes last reported failing while others wrote, so that each is logged once per episode. */
  #isolated = new Set<string>();
  readonly #probe: SecurityProbe | undefined;

  /** `probe`, when given, runs once per failure episode of a producer whose failure names no security cause. */
  constructor(
    readiness: Readiness,
    log: RateLimitedLog,
    conditions: { readonly writable: string; readonly credentials: string; readonly tls: string },
    probe?: SecurityProbe,
  ) {
    this.#readiness = readiness;
    this.#log = log;
    this.#conditions = conditions;
    this.#probe = probe;
  }

  /**
   * Tracks producer `name`; returns what its sink's `onWritable` calls: `false` while a write fails
   * and is retried (with the failure as `cause`), `true` once a write lands.
   */
  add(name: string): (writable: boolean, cause?: unknown) => void {
    const state: WriteState = {
      writable: true,
      credentialsAccepted: true,
      tlsVerified: true,
      failingSince: 0,
      landedAt: 0,
      probed: 0,
    };
    this.#states.set(name, state);
    return (writable, cause) => {
      const report = ++this.#reports;
      if (writable) {
        state.landedAt = report;
        state.failingSince = 0;
      } else if (state.writable) {
        state.failingSince = report;
      }
      state.writable = writable;
      const failure = writable ? undefined : kafkaSecurityFailureOf(cause);
      if (writable || failure !== undefined) this.#settle(name, state, failure);
      else this.#probeOnce(name, state);
      if (this.#states.get(name) === state) this.#publish();
    };
  }

  /** Sets what `failure` (or a landed write, with none) says of the producer's security, logging a refusal. */
  #settle(name: string, state: WriteState, failure: KafkaSecurityFailure | undefined): void {
    if (failure !== undefined) {
      this.#log.error(`kafka.${failure.kind}`, "kafka refused the edge's security; not ready, writes retried", {
        producer: name,
        cause: SECURITY_CAUSES[failure.kind],
        reason: failure.reason,
      });
    }
    state.credentialsAccepted = failure?.kind !== "auth";
    state.tlsVerified = failure?.kind !== "tls" && failure?.kind !== "client-certificate";
  }

  /** Probes the brokers once for this failure episode; a refusal found while the episode lasts settles it. */
  #probeOnce(name: string, state: WriteState): void {
    if (this.#probe === undefined || state.probed === state.failingSince) return;
    const episode = state.failingSince;
    state.probed = episode;
    this.#probe().then((failure) => {
      const current = this.#states.get(name) === state && !state.writable && state.failingSince === episode;
      if (failure === undefined || !current) return;
      this.#settle(name, state, failure);
      this.#publish();
    }, () => {});
  }

  /** Logs each producer whose writes fail while others land, once per episode. */
  #logIsolated(): void {
    for (const [name, state] of this.#states) {
      if (state.writable) {
        this.#isolated.delete(name);
      } else if (!this.#isolated.has(name)) {
        this.#isolated.add(name);
        this.#log.warn(
          "kafka.lane-failing",
          "one producer's writes fail while the others' land: its events are held and retried; the edge stays ready",
          { producer: name },
        );
      }
    }
  }

  /** Stops tracking producer `name` (its lane closed). */
  remove(name: string): void {
    if (this.#states.delete(name)) this.#publish();
  }

  #publish(): void {
    let credentials = true, tls = true, firstFailure = Infinity, lastLanded = 0;
    for (const state of this.#states.values()) {
      credentials &&= state.credentialsAccepted;
      tls &&= state.tlsVerified;
      if (!state.writable) firstFailure = Math.min(firstFailure, state.failingSince);
      lastLanded = Math.max(lastLanded, state.landedAt);
    }
    const writable = firstFailure === Infinity || lastLanded > firstFailure;
    if (firstFailure !== Infinity && writable) this.#logIsolated();
    else this.#isolated.clear();
    this.#readiness.set(this.#conditions.writable, writable);
    this.#readiness.set(this.#conditions.credentials, credentials);
    this.#readiness.set(this.#conditions.tls, tls);
  }
}
