/**
 * Runs in Node, in a scratch project that installed the built `@veltrix/client` package and npm
 * `ws`: sends `VELTRIX_EVENTS` events to `VELTRIX_URL` as one batch, waits for every ack, closes,
 * and prints one JSON line with the ids, the stats and the states it went through.
 *
 * Tokens come from `VELTRIX_TOKEN_URL` (a GET answers one JWT) so that each (re)connect and each
 * refresh gets a fresh one, as a game's token endpoint would give.
 */
import { VeltrixClient } from "@veltrix/client";
import WebSocket from "ws";

const url = process.env.VELTRIX_URL;
const tokenUrl = process.env.VELTRIX_TOKEN_URL;
const count = Number(process.env.VELTRIX_EVENTS ?? "5");
const states = [];
let tokenCalls = 0;
const client = new VeltrixClient({
  url,
  token: async () => {
    tokenCalls++;
    return await (await fetch(tokenUrl)).text();
  },
  WebSocket,
  batchWindowMs: 20,
});
client.on("state", (state) => states.push(state));
const sends = [];
for (let seq = 0; seq < count; seq++) sends.push(client.send("treasure.collected", { chest: seq, gold: 10 + seq }));
const ids = (await Promise.all(sends)).map((result) => result.id);
const stats = client.stats;
const { unacked } = await client.close();
console.log(JSON.stringify({ ids, stats, unacked: unacked.length, states, tokenCalls }));
