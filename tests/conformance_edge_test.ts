/**
 * `deno task conformance-edge` judges real clients: the TypeScript SDK passes every rule; the SDK
 * behind a socket that forgets its outbox on reconnect (it never sends an event again once a
 * connection that carried it is gone) fails "resent all unacked"; and a client that never comes
 * fails every rule as not shown, within the timeout.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { VeltrixClient, type WebSocketConstructor, type WebSocketLike } from "../src/client/mod.ts";
import { type ConformanceRun, startConformanceRun } from "./support/conformance_run.ts";

const RULES = [
  "resent all unacked with the same ids",
  "honoured retryAfterMs",
  "never resent acked",
  "backed off",
  "refreshed the token",
  "refreshed in band before expiry",
];

/** Runs the SDK through the conformance workload: 20 events, each kept until acked, then close. */
async function runSdk(run: ConformanceRun, WebSocketClass: WebSocketConstructor): Promise<void> {
  const { ingestUrl, tokenUrl } = run;
  const client = new VeltrixClient({
    url: ingestUrl,
    token: () => fetch(tokenUrl).then((response) => response.text()),
    WebSocket: WebSocketClass,
  });
  const sends = Array.from({ length: 20 }, (_, n) => client.send("conformance.ping", { n }));
  // Until every event is acked, or the edge has judged (a client that does not conform waits in vain).
  await Promise.race([Promise.all(sends), run.result]);
  await client.close({ flushTimeoutMs: 0 });
}

/**
 * npm `ws`, but a socket that forgets the outbox: an event id that went out on an earlier
 * connection is left out of every frame on a later one.
 */
function forgetfulWebSocket(): WebSocketConstructor {
  const sentBefore = new Set<string>();
  return function (url: string, protocols?: string | string[]) {
    const socket = new WebSocket(url, protocols) as unknown as WebSocketLike & {
      on(event: "close", listener: () => void): void;
    };
    const sentHere = new Set<string>();
    socket.on("close", () => sentHere.forEach((id) => sentBefore.add(id)));
    const send = socket.send.bind(socket);
    socket.send = (data: string) => {
      const frame = JSON.parse(data) as { events?: { id: string }[] };
      const events = (frame.events ?? []).filter((event) => !sentBefore.has(event.id));
      events.forEach((event) => sentHere.add(event.id));
      if (events.length > 0 || frame.events === undefined) send(JSON.stringify({ ...frame, events }));
    };
    return socket;
  } as unknown as WebSocketConstructor;
}

Deno.test("the TypeScript SDK passes every rule of the conformance edge", async () => {
  const run = await startConformanceRun("30s");
  await runSdk(run, WebSocket as unknown as WebSocketConstructor);
  const { code, output } = await run.result;
  console.log(output);
  for (const rule of RULES) assert.match(output, new RegExp(`^PASS  ${rule}`, "m"), output);
  assert.match(output, /^6 of 6 rules pass$/m);
  assert.equal(code, 0, output);
});

Deno.test("an SDK whose socket forgets the outbox on reconnect fails the conformance edge", async () => {
  const run = await startConformanceRun("15s");
  await runSdk(run, forgetfulWebSocket());
  const { code, output } = await run.result;
  console.log(output);
  assert.match(output, /^FAIL {2}resent all unacked with the same ids +15 of 15 unacked not resent after the drop/m);
  assert.equal(code, 1, output);
});

Deno.test("a client that never comes fails every rule as not shown, by --timeout", async () => {
  const run = await startConformanceRun("1s");
  const { code, output } = await run.result;
  for (const rule of RULES) assert.match(output, new RegExp(`^FAIL  ${rule} +not shown`, "m"), output);
  assert.match(output, /^0 of 6 rules pass$/m);
  assert.equal(code, 1);
});
