import { readTopic } from "./kcat_reader.ts";
import { SteadySenders } from "./steady_senders.ts";

/** One fault test: its name (a specification) and its body. */
export interface ClusterFault {
  readonly name: string;
  fn(): Promise<void>;
}

/** What one fault did to the traffic, as the fault table reports it. */
export interface FaultReport {
  readonly fault: string;
  /** The prefix of every event id the run sent (`${run}-`). */
  readonly run: string;
  readonly sent: number;
  readonly acked: number;
  /** Events found in every topic their type routes to. */
  readonly found: number;
  /** Acked, but missing from a topic: must be 0. */
  readonly ackedMissing: number;
  /** Sent but neither acked nor rejected once the clients drained: must be 0. */
  readonly neverAcked: number;
  /** Permanently rejected: must be 0. */
  readonly rejected: number;
  /** Records beyond the first of each event in each topic (a resend after a lost ack). */
  readonly duplicates: number;
  readonly longestStallMs: number;
  readonly durationMs: number;
  /** What the fault itself measured (times out of rotation, leaders moved...). */
  readonly details: Record<string, unknown>;
}

/** How a fault run sends: SDK clients through `url`, `type` events to `topics`. */
export interface FaultTraffic {
  readonly url: string;
  readonly brokers: string;
  readonly type: string;
  readonly topics: readonly string[];
  readonly clients: number;
  readonly perSecond: number;
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly drainMs: number;
}

/** The traffic of the cluster faults: 6 SDK clients × 20 `treasure.collected`/s through the balancer. */
export const CLUSTER_TRAFFIC = {
  type: "treasure.collected",
  topics: ["game.treasure", "game.leaderboard"],
  clients: 6,
  perSecond: 20,
  beforeMs: 2_000,
  afterMs: 2_000,
  drainMs: 90_000,
} as const;

/**
 * Sends steadily through `traffic.url`, runs `fault` while it flows, stops sending, waits for the
 * clients to drain, then reads every topic back with kcat and counts. Prints one `FAULT` line with
 * the report (and appends it to `$VELTRIX_FAULT_REPORT` when set). `fault` returns its details.
 */
export async function runFault(
  name: string,
  traffic: FaultTraffic,
  fault: (senders: SteadySenders) => Promise<Record<string, unknown>>,
): Promise<FaultReport> {
  const since = Date.now() - 1_000;
  const started = performance.now();
  const senders = SteadySenders.start(traffic.url, traffic.clients, traffic.perSecond, traffic.type);
  let details: Record<string, unknown>;
  try {
    await new Promise((resolve) => setTimeout(resolve, traffic.beforeMs));
    details = await fault(senders);
    await new Promise((resolve) => setTimeout(resolve, traffic.afterMs));
    senders.stop();
    await senders.settled(traffic.drainMs).catch(() => {});
  } finally {
    await senders.close();
  }
  const prefix = `${senders.run}-`;
  const perTopic = await Promise.all(traffic.topics.map(async (topic) => {
    const ids = (await readTopic(traffic.brokers, topic, since))
      .map((record) => record.headers["veltrix-event-id"] ?? "")
      .filter((id) => id.startsWith(prefix));
    return { unique: new Set(ids), records: ids.length };
  }));
  const inEvery = (id: string) => perTopic.every((topic) => topic.unique.has(id));
  const sendReport = senders.report();
  const report: FaultReport = {
    fault: name,
    run: senders.run,
    sent: sendReport.sent,
    acked: sendReport.acked,
    found: senders.sentIds.filter(inEvery).length,
    ackedMissing: [...senders.ackedIds].filter((id) => !inEvery(id)).length,
    neverAcked: sendReport.sent - sendReport.acked - sendReport.rejected,
    rejected: sendReport.rejected,
    duplicates: perTopic.reduce((sum, topic) => sum + topic.records - topic.unique.size, 0),
    longestStallMs: sendReport.longestStallMs,
    durationMs: Math.round(performance.now() - started),
    details,
  };
  const line = `FAULT ${JSON.stringify(report)}`;
  console.log(line);
  const file = Deno.env.get("VELTRIX_FAULT_REPORT");
  if (file) await Deno.writeTextFile(file, `${JSON.stringify(report)}\n`, { append: true });
  return report;
}
