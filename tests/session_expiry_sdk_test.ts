/**
 * Zero loss across a forced expiry, end to end: the SDK (npm `ws`) sends a steady stream to a real
 * edge whose clock skew is 0; its token function fails when asked for the refresh, so the edge
 * closes the session with TOKEN_EXPIRED (4001); the SDK reconnects with a fresh token and resends
 * what was unacked. Every event resolves, and an independent consumer (kcat) finds every id.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { VeltrixClient, type WebSocketConstructor } from "../src/client/mod.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

const TOPIC = "game.player-activity";

/** How the edge closed each socket the SDK opened. */
const closes: { code: number; reason: string }[] = [];

/** npm ws's WebSocket, recording how each socket was closed. */
const RecordingWebSocket = function (url: string, protocols?: string | string[]) {
  const socket = new WebSocket(url, protocols);
  socket.on(
    "close",
    (code: number, reason: Uint8Array) => closes.push({ code, reason: new TextDecoder().decode(reason) }),
  );
  return socket;
} as unknown as WebSocketConstructor;

Deno.test("the SDK loses nothing across a session closed with TOKEN_EXPIRED", async () => {
  const since = Date.now() - 1000;
  const player = `exp-${crypto.randomUUID().slice(0, 8)}`;
  const edge = await startEdgeProcess({ VELTRIX_JWT_CLOCK_SKEW_S: "0" });
  let calls = 0;
  const client = new VeltrixClient({
    url: edge.ingestUrl,
    WebSocket: RecordingWebSocket,
    reconnect: { initialDelayMs: 50, maxDelayMs: 1_000 },
    token: () => {
      calls++;
      // 1: the first connection, a 3 s token. 2: its refresh, which fails (the token service is
      // down), so the edge ends the session at exp. 3 and on: an hour's token.
      if (calls === 2) throw new Error("token service down");
      const exp = Math.floor(Date.now() / 1000) + (calls === 1 ? 3 : 3600);
      return playerToken(player, { exp });
    },
  });
  const reconnected = new Promise<void>((resolve) => {
    const stop = client.on("state", (state) => {
      if (state === "reconnecting") {
        stop();
        resolve();
      }
    });
  });
  let closedByExpiry = false;
  void reconnected.then(() => closedByExpiry = true);
  try {
    const sends: Promise<{ id: string }>[] = [];
    // A steady stream (one event every 10 ms) until the session was cut, and 50 more after it.
    let after = 0;
    while (after < 50) {
      sends.push(client.send("player.moved", { seq: sends.length }));
      if (closedByExpiry) after++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ids = (await Promise.all(sends)).map(({ id }) => id);
    assert.equal(client.outboxDepth, 0);
    assert.ok(client.stats.reconnects >= 1, "the SDK reconnected");
    // The edge's own word that it ended the session; the client sees 4001 (or, when the close
    // crosses frames still in flight, the socket just dropping: 1006).
    assert.ok(edge.logs.some((line) => line.msg === "sessions closed at token expiry"), "closed at expiry");
    assert.ok([4001, 1006].includes(closes[0]?.code ?? 0), JSON.stringify(closes));
    const found = new Set(
      (await readTopic(testBrokers(), TOPIC, since))
        .filter((record) => record.key === player)
        .map((record) => record.headers["veltrix-event-id"]),
    );
    const missing = ids.filter((id) => !found.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${ids.length} events are not in ${TOPIC}`);
  } finally {
    await client.close();
    await edge.stop();
  }
});
