/**
 * What the treasure-hunt demo counts while its players send, and the progress line and summary it
 * prints from that.
 *
 * @module
 */
import { LatencyHistogram } from "./latency_histogram.ts";

/** How the players' connections stand at one moment. */
export interface PlayersView {
  readonly players: number;
  /** Players whose client is connected now. */
  readonly connected: number;
  /** Events held in the clients' outboxes: sent, not yet acked. */
  readonly outbox: number;
}

/** The demo's final numbers, as printed in its JSON summary line. */
export interface DemoSummary {
  readonly players: number;
  readonly ratePerPlayer: number;
  readonly durationMs: number;
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  /** Events the SDK refused because a player's outbox was full: never sent, the game was told. */
  readonly outboxFull: number;
  /** Events sent but neither acked nor rejected when the clients closed. */
  readonly lost: number;
  readonly rejectCodes: Record<string, number>;
  readonly byType: Record<string, number>;
  readonly ackLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly resent: number;
  readonly reconnects: number;
}

/** Counts of one demo run. */
export class DemoTally {
  /** Events handed to the players' clients. */
  sent = 0;
  acked = 0;
  /** Events the edge rejected for good. */
  rejected = 0;
  outboxFull = 0;
  readonly byType: Record<string, number> = {};
  readonly rejectCodes: Record<string, number> = {};
  readonly #latency = new LatencyHistogram();
  readonly #intervalLatency = new LatencyHistogram();
  #intervalStartedAt: number;
  #ackedAtIntervalStart = 0;

  /** `nowMs` starts the first progress interval. */
  constructor(nowMs: number) {
    this.#intervalStartedAt = nowMs;
  }

  /** Events sent but not (yet) acked, rejected or refused. */
  get unsettled(): number {
    return this.sent - this.acked - this.rejected - this.outboxFull;
  }

  /** Counts an event handed to a client. */
  sending(type: string): void {
    this.sent++;
    this.byType[type] = (this.byType[type] ?? 0) + 1;
  }

  /** Counts an ack that came `latencyMs` after its event was sent. */
  ackedAfter(latencyMs: number): void {
    this.acked++;
    this.#latency.record(latencyMs);
    this.#intervalLatency.record(latencyMs);
  }

  /** Counts an event the client will not deliver: a permanent reject, or `OUTBOX_FULL`. */
  refused(code: string): void {
    if (code === "OUTBOX_FULL") {
      this.outboxFull++;
      return;
    }
    this.rejected++;
    this.rejectCodes[code] = (this.rejectCodes[code] ?? 0) + 1;
  }

  /**
   * The progress line at `nowMs`: players connected, sent, acked, rejected, acks per second and
   * ack p99 since the previous line, outbox depth. Starts a new interval.
   */
  progressLine(nowMs: number, elapsedMs: number, view: PlayersView): string {
    const seconds = Math.max(0.001, (nowMs - this.#intervalStartedAt) / 1000);
    const rate = (this.acked - this.#ackedAtIntervalStart) / seconds;
    const p99 = this.#intervalLatency.quantile(0.99);
    this.#intervalStartedAt = nowMs;
    this.#ackedAtIntervalStart = this.acked;
    this.#intervalLatency.reset();
    return [
      `[${(elapsedMs / 1000).toFixed(0).padStart(4)}s] players ${view.connected}/${view.players}`,
      `sent ${this.sent}`,
      `acked ${this.acked}`,
      `rejected ${this.rejected + this.outboxFull}`,
      `${rate.toFixed(0)} events/s`,
      `outbox ${view.outbox}`,
      `ack p99 ${Number.isNaN(p99) ? "-" : `${p99.toFixed(1)} ms`}`,
    ].join(" | ");
  }

  /** The final numbers. */
  summary(
    run: { players: number; ratePerPlayer: number; durationMs: number; resent: number; reconnects: number },
  ): DemoSummary {
    const round = (ms: number) => (Number.isNaN(ms) ? 0 : Math.round(ms * 10) / 10);
    return {
      players: run.players,
      ratePerPlayer: run.ratePerPlayer,
      durationMs: Math.round(run.durationMs),
      sent: this.sent,
      acked: this.acked,
      rejected: this.rejected,
      outboxFull: this.outboxFull,
      lost: this.unsettled,
      rejectCodes: { ...this.rejectCodes },
      byType: { ...this.byType },
      ackLatencyMs: {
        p50: round(this.#latency.quantile(0.5)),
        p99: round(this.#latency.quantile(0.99)),
        max: round(this.#latency.quantile(1)),
      },
      resent: run.resent,
      reconnects: run.reconnects,
    };
  }
}

/** The summary for people: a few lines. */
export function describeSummary(summary: DemoSummary): string {
  const seconds = summary.durationMs / 1000;
  const types = Object.entries(summary.byType).sort(([, a], [, b]) => b - a).map(([type, n]) => `${type} ${n}`);
  const codes = Object.entries(summary.rejectCodes).map(([code, n]) => `${code} ${n}`);
  return [
    `Treasure hunt over after ${seconds.toFixed(1)} s: ${summary.players} players sent ${summary.sent} events, ` +
    `${summary.acked} acked, ${summary.rejected} rejected${codes.length ? ` (${codes.join(", ")})` : ""}, ` +
    `${summary.outboxFull} refused (outbox full), ${summary.lost} lost.`,
    `  ${
      (summary.acked / Math.max(seconds, 0.001)).toFixed(0)
    } acks/s; ack latency p50 ${summary.ackLatencyMs.p50} ms, ` +
    `p99 ${summary.ackLatencyMs.p99} ms, max ${summary.ackLatencyMs.max} ms; ` +
    `${summary.resent} resent, ${summary.reconnects} reconnects.`,
    `  By type: ${types.join(", ") || "none"}.`,
  ].join("\n");
}
