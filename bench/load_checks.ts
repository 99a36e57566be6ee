import type { EdgeUnderTest } from "./edge_under_test.ts";
import type { LoadStepResult } from "./run_load.ts";

/** True when a load step keeps the SLA: p99 under 100 ms, nothing unanswered or rejected, ≥ 95% of the offered rate. */
export function holdsSla(r: LoadStepResult, offered: number): boolean {
  return r.latencyMs.p99 < 100 && r.unanswered === 0 && r.rejected === 0 && r.connectFailed === 0 &&
    r.achievedRate >= 0.95 * offered;
}

/** Resolves once `edge` holds no unacknowledged event, or after 30 s. */
export async function drained(edge: EdgeUnderTest): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await edge.inFlightEvents()) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
