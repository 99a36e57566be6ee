/**
 * Reads an edge's fleet view (`GET /v1/fleet` on its admin port) for the fleet tests, once or until a condition holds.
 *
 * @module
 */
import type { FleetAnswer } from "../../src/control/cli/rollout_cli.ts";
import type { EdgeProcess } from "./edge_process.ts";

/** `edge`'s fleet view, as the ops CLI reads it. */
export async function fleet(edge: EdgeProcess): Promise<FleetAnswer> {
  return await (await fetch(`http://127.0.0.1:${edge.adminPort}/v1/fleet`)).json();
}

/** Polls `edge`'s fleet view until `done` holds; throws after `timeoutMs`, naming `what` it waited for. */
export async function fleetUntil(
  edge: EdgeProcess,
  done: (f: FleetAnswer) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<FleetAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await fleet(edge);
    if (done(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(answer)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
