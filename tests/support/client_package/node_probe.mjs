/**
 * Runs in Node, in a scratch project that installed the built `@veltrix/client` package and npm
 * `ws`: sends `VELTRIX_EVENTS` events to `VELTRIX_URL` as one batch and waits for every ack; then
 * keeps the session open until the token was refreshed `VELTRIX_REFRESHES` times and sends one
 * more batch; closes, and prints one JSON line with the ids, the stats, the states it went through,
 * and the URL and subprotocols each socket was opened with and the subprotocol the edge chose.
 *
 * Tokens come from `VELTRIX_TOKEN_URL` (a GET answers one JWT) so that each (re)connect and each
 * refresh gets a fresh one, as a game's token endpoint would give.
 */
import { VeltrixClient } from "@veltrix/client";
import WebSocket from "ws";

const url = process.env.VELTRIX_URL;
const tokenUrl = process.env.VELTRIX_TOKEN_URL;
const count = Number(process.env.VELTRIX_EVENTS ?? "5");
const refreshes = Number(process.env.VELTRIX_REFRESHES ?? "0");

/** npm `ws`, recording how each socket was opened. */
const sockets = [];
class RecordingWebSocket extends WebSocket {
  constructor(address, protocols, options) {
    super(address, protocols, options);
    const seen = { url: String(address), protocols: [protocols ?? []].flat(), chosen: null };
    sockets.push(seen);
    this.addEventListener("open", () => seen.chosen = this.protocol);
  }
}

const states = [];
let tokenCalls = 0;
let refreshed = () => {};
const client = new VeltrixClient({
  url,
  token: async () => {
    tokenCalls++;
    if (tokenCalls > refreshes) refreshed();
    return await (await fetch(tokenUrl)).text();
  },
  WebSocket: RecordingWebSocket,
  batchWindowMs: 20,
});
client.on("state", (state) => states.push(state));

/** Sends `n` events as one batch; resolves with their ids once all are acked. */
async function batch(n, round) {
  const sends = [];
  for (let seq = 0; seq < n; seq++) sends.push(client.send("treasure.collected", { round, chest: seq, gold: 10 }));
  return (await Promise.all(sends)).map((result) => result.id);
}

const ids = await batch(count, 1);
if (refreshes > 0) {
  await new Promise((resolve) => {
    refreshed = resolve;
    if (tokenCalls > refreshes) resolve();
  });
  ids.push(...await batch(count, 2));
}
const stats = client.stats;
const { unacked } = await client.close();
console.log(JSON.stringify({ ids, stats, unacked: unacked.length, states, tokenCalls, sockets }));
