/**
 * On a real edge: the token in the subprotocol (the browser way), sessions that end with their
 * token (TOKEN_EXPIRED, 4001), in-band refresh (taken for the same player, refused and closed with
 * 4003 for another), and no query string in any log line.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { playerToken } from "./support/tokens.ts";

const now = () => Math.floor(Date.now() / 1000);

/** A socket of npm ws, with every frame it got and how it closed. */
interface TestSocket {
  readonly socket: WebSocket;
  readonly protocol: string;
  /** The Sec-WebSocket-Protocol header of the 101, as sent. */
  readonly answeredProtocol: string | undefined;
  readonly frames: Record<string, unknown>[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first frame (already received or to come) for which `match` is true. */
  next(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function open(url: string, protocols?: string[]): Promise<TestSocket> {
  const socket = new WebSocket(url, protocols);
  const frames: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let answeredProtocol: string | undefined;
  socket.once("upgrade", (response: { headers: Record<string, string | undefined> }) => {
    answeredProtocol = response.headers["sec-websocket-protocol"];
  });
  socket.on("message", (data: unknown) => {
    frames.push(JSON.parse(String(data)));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once(
      "close",
      (code: number, reason: Uint8Array) => resolve({ code, reason: new TextDecoder().decode(reason) }),
    );
  });
  const next = async (match: (frame: Record<string, unknown>) => boolean) => {
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, protocol: socket.protocol, answeredProtocol, frames, closed, next }));
    socket.once("error", reject);
  });
}

const acked = (id: string) => (frame: Record<string, unknown>) =>
  (frame.acks as string[] | undefined)?.includes(id) ?? false;

Deno.test("player sessions: subprotocol token, expiry, refresh", async (t) => {
  const edge: EdgeProcess = await startEdgeProcess({ VELTRIX_JWT_CLOCK_SKEW_S: "0" });
  const queryToken = await playerToken("p-query-logged-never");
  try {
    await t.step(
      "a token in Sec-WebSocket-Protocol (no query string) is acked, and the edge answers veltrix.v1",
      async () => {
        const token = await playerToken("p-browser");
        const client = await open(edge.ingestUrl, ["veltrix.v1", `veltrix.bearer.${token}`]);
        assert.equal(client.protocol, "veltrix.v1");
        assert.equal(client.answeredProtocol, "veltrix.v1", "the 101 names veltrix.v1 and never the token");
        client.socket.send(
          JSON.stringify({ events: [{ id: "sub-1", type: "treasure.collected", data: { gold: 1 } }] }),
        );
        await client.next(acked("sub-1"));
        client.socket.close();
        await client.closed;
      },
    );

    await t.step("a token in the list without veltrix.v1 is refused before the upgrade", async () => {
      const token = await playerToken("p-browser");
      await assert.rejects(open(edge.ingestUrl, [`veltrix.bearer.${token}`]), /401/);
    });

    await t.step("?token= still works (discouraged)", async () => {
      const client = await open(`${edge.ingestUrl}?token=${queryToken}`);
      client.socket.close();
      await client.closed;
    });

    await t.step(
      "a connection whose token expires is closed with TOKEN_EXPIRED; one that refreshed in time is not",
      async () => {
        const exp = now() + 3;
        const expiring = await open(edge.ingestUrl, [
          "veltrix.v1",
          `veltrix.bearer.${await playerToken("p-exp", { exp })}`,
        ]);
        const refreshing = await open(edge.ingestUrl, [
          "veltrix.v1",
          `veltrix.bearer.${await playerToken("p-ref", { exp })}`,
        ]);
        const fresh = await playerToken("p-ref", { exp: now() + 3600 });
        refreshing.socket.send(JSON.stringify({ token: fresh, events: [{ id: "ref-1", type: "treasure.collected" }] }));
        const session = await refreshing.next((frame) => frame.session !== undefined);
        assert.ok(((session.session as { expiresAt: number }).expiresAt) > exp);
        await refreshing.next(acked("ref-1"));
        // Both had the same deadline: once the first is closed for it, the second is past it too.
        assert.deepEqual(await expiring.closed, { code: 4001, reason: "TOKEN_EXPIRED" });
        refreshing.socket.send(JSON.stringify({ events: [{ id: "ref-2", type: "treasure.collected" }] }));
        await refreshing.next(acked("ref-2"));
        assert.equal(refreshing.socket.readyState, WebSocket.OPEN);
        refreshing.socket.close();
        await refreshing.closed;
      },
    );

    await t.step(
      "a refresh naming another player is refused with UNAUTHORIZED and the connection closed (4003)",
      async () => {
        const client = await open(edge.ingestUrl, ["veltrix.v1", `veltrix.bearer.${await playerToken("p-alice")}`]);
        client.socket.send(JSON.stringify({ token: await playerToken("p-mallory") }));
        const refused = await client.next((frame) => frame.error !== undefined);
        assert.equal((refused.error as { code: string }).code, "UNAUTHORIZED");
        assert.deepEqual(await client.closed, { code: 4003, reason: "UNAUTHORIZED" });
      },
    );

    await t.step("a refresh that does not verify is refused the same way", async () => {
      const client = await open(edge.ingestUrl, ["veltrix.v1", `veltrix.bearer.${await playerToken("p-bob")}`]);
      client.socket.send(JSON.stringify({ token: "not.a.token" }));
      assert.deepEqual(await client.closed, { code: 4003, reason: "UNAUTHORIZED" });
      assert.equal((client.frames[0]?.error as { code: string }).code, "UNAUTHORIZED");
    });
  } finally {
    await edge.stop();
  }
  await t.step("no log line holds a query string or a token", () => {
    const text = edge.logs.map((line) => JSON.stringify(line)).join("\n");
    assert.ok(edge.logs.some((line) => line.msg === "connection opened" && line.tokenFrom === "query"));
    assert.ok(
      edge.logs.some((line) =>
        line.msg === "connection closed" && line.code === 4001 && line.reason === "TOKEN_EXPIRED"
      ),
      "the expired session's close is logged with its code",
    );
    assert.ok(!text.includes("?token"), "a log line holds ?token");
    assert.ok(!text.includes("token="), "a log line holds token=");
    assert.ok(!text.includes(queryToken), "a log line holds a token");
  });
});
