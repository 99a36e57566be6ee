/**
 * The `players` scenario of `deno task bench`: many connections at 1 event a second each, one
 * fresh edge per player count, to show how many players the edge holds within the SLA and what a
 * connection costs in RSS. It goes on past an SLA miss, up to the most the open-file limit fits.
 *
 * @module
 */
import type { BenchRow } from "./bench_result.ts";
import type { EdgeUnderTest } from "./edge_under_test.ts";
import { holdsSla } from "./load_checks.ts";
import { type LoadStep, type LoadStepResult, runLoadStep } from "./run_load.ts";

/** What the players scenario needs from the benchmark run. */
export interface PlayersContext {
  readonly quick: boolean;
  /** The player counts to try, in order. */
  readonly players: readonly number[];
  /** Load generator processes at least (more for many players). */
  readonly workers: number;
  step(url: string, rate: number, connections: number, extra?: Partial<LoadStep>): LoadStep;
  /** Starts an edge warmed up at `rate`. */
  startEdge(rate: number): Promise<EdgeUnderTest>;
  /** Records an edge row (its events are read back for loss). */
  edgeRow(label: string, rate: number, r: LoadStepResult, extra: Partial<BenchRow>): void;
  progress(message: string): void;
}

/** Runs each player count against its own edge; returns the headline figures. */
export async function playersScenario(
  { quick, players: counts, workers, step, startEdge, edgeRow, progress }: PlayersContext,
): Promise<Record<string, number>> {
  const summary: Record<string, number> = {};
  let held = 0, connected = 0;
  for (const players of counts) {
    const edge = await startEdge(1000);
    try {
      const idle = await edge.rssBytes();
      progress(`many players: ${players} connections at 1 ev/s each`);
      let r: LoadStepResult;
      try {
        r = await runLoadStep(
          step(edge.ingestUrl, players, players, {
            durationS: quick ? 4 : 12,
            warmupS: quick ? 1 : 3,
            // One generator process per 8,000 players: one process sending and reading 19,000 sockets
            // falls behind its own schedule (its lag counted against the edge) while the edge idles.
            workers: Math.max(workers, Math.ceil(players / 8000)),
          }),
          edge,
        );
      } catch (error) {
        // A generator that could not run at all (it died connecting): the run keeps what it has.
        progress(`many players: ${players} could not run: ${(error as Error).message}`);
        summary[`playersFailedAt`] = players;
        break;
      }
      const perConnectionKb = Math.round((r.edgeRssConnectedBytes! - idle) / players / 1024 * 10) / 10;
      const ok = holdsSla(r, players) && r.closedEarly === 0;
      if (ok) held = players;
      const allServed = r.connectFailed === 0 && r.closedEarly === 0 && r.unanswered === 0;
      if (allServed) connected = players;
      edgeRow(`${players} players × 1 ev/s`, players, r, {
        meetsSla: ok,
        notes: `edge RSS idle ${Math.round(idle / 1048576)} MB, connected ${
          Math.round(r.edgeRssConnectedBytes! / 1048576)
        } MB: ${perConnectionKb} KB per connection`,
      });
      summary[`rssKbPerConnection@${players}`] = perConnectionKb;
      // Go on past an SLA miss and unanswered events, up to the most the open-file limit fits: the
      // question is also how many connections the machine holds at all. Stop only when connections
      // could not even be opened (more would fail too).
      if (r.connectFailed > 0) break;
    } finally {
      await edge.stop();
    }
  }
  summary.mostPlayersHoldingSla = held;
  summary.mostPlayersServed = connected;
  return summary;
}
