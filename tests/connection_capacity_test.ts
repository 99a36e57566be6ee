import assert from "node:assert/strict";
import WebSocket from "ws";
import { startEdgeProcess } from "./support/edge_process.ts";
import { playerToken } from "./support/tokens.ts";
import { tryUpgrade } from "./support/upgrade_status.ts";

// The edge runs with at most 300 open files: 64 are kept in reserve, so 236 clients fit.
const FILE_LIMIT = ["prlimit", "--nofile=300:300"];

async function openClient(url: string, player: string): Promise<WebSocket> {
  const socket = new WebSocket(`${url}?token=${await playerToken(player)}`);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return socket;
}

Deno.test("an edge that can read its open-file limit lowers its connection cap to fit and answers 503 past it", async () => {
  // Deno lets a process read /proc (where the limit is) only with --allow-all.
  const edge = await startEdgeProcess({}, { launcher: FILE_LIMIT, allowAll: true });
  const clients: WebSocket[] = [];
  try {
    const lowered = edge.logs.find((l) => String(l.msg).startsWith("VELTRIX_MAX_CONNECTIONS lowered"));
    assert.ok(lowered, "the edge says it lowered the cap");
    assert.equal(lowered.maxConnections, 236);
    assert.equal(lowered.openFileLimit, 300);

    for (let i = 0; i < 236; i++) clients.push(await openClient(edge.ingestUrl, `capacity-${i}`));
    const refused = await tryUpgrade(`${edge.ingestUrl}?token=${await playerToken("capacity-extra")}`);
    assert.equal(refused.status, 503);
    assert.match(refused.body, /TOO_MANY_CONNECTIONS/);

    // Still serving: one client leaves, and the next one gets in.
    const leaving = clients.pop()!;
    await new Promise((resolve) => {
      leaving.once("close", resolve);
      leaving.close();
    });
    let admitted = false;
    for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
      const answer = await tryUpgrade(`${edge.ingestUrl}?token=${await playerToken(`capacity-late-${attempt}`)}`);
      admitted = answer.status === 101;
      if (!admitted) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(admitted, "a client gets in once there is room");
    const ready = await fetch(`http://127.0.0.1:${edge.adminPort}/readyz`);
    await ready.body?.cancel();
    assert.equal(ready.status, 200);
  } finally {
    for (const c of clients) c.terminate();
    assert.equal(await edge.stop(), 0);
  }
});

Deno.test("an edge whose client listener runs out of file descriptors stops cleanly and exits 1 for a restart", async () => {
  const edge = await startEdgeProcess({}, { launcher: FILE_LIMIT });
  const raw: Deno.TcpConn[] = [];
  try {
    // Raw TCP connections that never send a request each hold a descriptor until the limit is hit.
    for (let i = 0; i < 320; i++) {
      try {
        raw.push(await Deno.connect({ hostname: "127.0.0.1", port: edge.port }));
      } catch {
        break;
      }
    }
    const code = await Promise.race([
      edge.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 30_000)),
    ]);
    assert.equal(code, 1);
    const messages = edge.logs.map((l) => l.msg);
    assert.ok(
      messages.includes("the client listener failed and accepts no more connections"),
      JSON.stringify(messages),
    );
    assert.ok(messages.includes("stopped"), "it went through the normal shutdown");
    assert.ok(!edge.logs.some((l) => l.level === "raw" && /Uncaught/.test(String(l.msg))), "no uncaught error");
  } finally {
    for (const c of raw) {
      try {
        c.close();
      } catch {
        // Already closed by the edge.
      }
    }
    await edge.kill();
  }
});
