/**
 * What token expiry costs an edge with 100k connections: scheduling each (at open or refresh), and
 * the once-a-second sweep when nothing is due and when a second's share (100k tokens of an hour
 * spread evenly: about 28) is.
 */
import { SessionExpiry } from "./session_expiry.ts";

const CONNECTIONS = 100_000;
const HOUR_MS = 3_600_000;
const START = 1_800_000_000_000;

function filled(): SessionExpiry<number> {
  const expiry = new SessionExpiry<number>();
  for (let i = 0; i < CONNECTIONS; i++) expiry.schedule(i, START + (i * HOUR_MS) / CONNECTIONS);
  return expiry;
}

Deno.bench("SessionExpiry: schedule 100k connections", { group: "expiry" }, () => {
  filled();
});

const idle = filled();
Deno.bench("SessionExpiry: sweep of 100k with nothing due", { group: "sweep" }, () => {
  idle.due(START - 1_000);
});

let at = START;
let expiry = filled();
Deno.bench("SessionExpiry: sweep of 100k, one second's share due", { group: "sweep" }, () => {
  at += 1_000;
  if (at > START + HOUR_MS) {
    expiry = filled();
    at = START + 1_000;
  }
  expiry.due(at);
});
