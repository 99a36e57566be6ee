/**
 * A live edge's logs: connections opened and closed are logged with what an operator needs, and a
 * flood of rejects from one connection costs a bounded number of lines whose `suppressed` counts
 * add up to every reject.
 */
import assert from "node:assert/strict";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";
import { tryUpgrade } from "./support/upgrade_status.ts";

const LIMIT = 5;
const BAD_EVENTS = 300;
const BAD_FRAMES = 100;

type LogEntry = Record<string, unknown>;

/** Resolves with the first log entry that `match` accepts, polling the edge's log as it grows. */
async function logEntry(edge: EdgeProcess, match: (entry: LogEntry) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = edge.logs.find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no such log line after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lines of `msg` with `code`, and the suppressed count they and the summary lines of `key` carry. */
function accounted(logs: LogEntry[], msg: string, code: string): { lines: number; suppressed: number } {
  const lines = logs.filter((l) => l.msg === msg && l.code === code);
  const summaries = logs.filter((l) => l.msg === "log lines suppressed" && l.key === `reject:${code}`);
  const suppressed = [...lines, ...summaries].reduce((n, l) => n + ((l.suppressed as number | undefined) ?? 0), 0);
  return { lines: lines.length, suppressed };
}

Deno.test("edge logs: connections open and close with their fields, and a reject flood stays bounded", async () => {
  const edge = await startEdgeProcess({ VELTRIX_LOG_RATE_LIMIT: String(LIMIT) });
  const run = crypto.randomUUID().slice(0, 8);
  const player = `logs-${run}`;
  const started = Date.now();
  let stopped = false;
  try {
    const refused = await tryUpgrade(`${edge.ingestUrl}?token=not-a-token`);
    assert.equal(refused.status, 401);

    const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player));
    const good = [`${run}-a`, `${run}-b`, `${run}-c`];
    client.sendJson(good.map((id) => ({ id, type: "player.moved" })));
    await client.waitForAcks(good);
    for (let i = 0; i < BAD_EVENTS; i++) client.sendJson([{ id: `${run}-bad-${i}`, type: "Not A Type" }]);
    for (let i = 0; i < BAD_FRAMES; i++) client.sendRaw("{not json");
    await client.waitFor(
      () => client.rejected.size === BAD_EVENTS && client.replies.filter((r) => r.error).length === BAD_FRAMES,
      20_000,
      "every reject and frame error",
    );
    await client.close();
    const closed = await logEntry(edge, (l) => l.msg === "connection closed" && l.player === player);

    assert.equal(await edge.stop(), 0);
    stopped = true;
    const windows = Math.ceil((Date.now() - started) / 10_000) + 1;

    const upgrade = edge.logs.find((l) => l.msg === "upgrade refused");
    assert.equal(upgrade?.level, "warn");
    assert.equal(upgrade?.code, "UNAUTHORIZED");
    assert.match(String(upgrade?.remote), /^127\.0\.0\.1:\d+$/);

    const opened = edge.logs.find((l) => l.msg === "connection opened" && l.player === player);
    assert.ok(opened, "the connection's opening is logged");
    assert.equal(opened.level, "info");
    assert.equal(typeof opened.connection, "string");
    assert.match(String(opened.remote), /^127\.0\.0\.1:\d+$/);
    assert.equal(opened.edge, edge.edgeId);

    assert.equal(closed.level, "info");
    assert.equal(closed.connection, opened.connection);
    assert.equal(closed.code, 1005, "the test client closes without a status code");
    assert.equal(closed.protocol, "json");
    assert.equal(closed.frames, 1 + BAD_EVENTS + BAD_FRAMES);
    assert.equal(closed.eventsAcked, good.length);
    assert.equal(closed.eventsRejected, BAD_EVENTS);
    assert.ok(typeof closed.durationMs === "number" && closed.durationMs > 0);

    const events = accounted(edge.logs, "event rejected", "INVALID_EVENT");
    assert.ok(events.lines >= 1 && events.lines <= LIMIT * windows, `${events.lines} event-rejected lines`);
    assert.equal(events.lines + events.suppressed, BAD_EVENTS, "lines and suppressed counts add up to every reject");
    const frames = accounted(edge.logs, "frame rejected", "INVALID_FRAME");
    assert.ok(frames.lines >= 1 && frames.lines <= LIMIT * windows, `${frames.lines} frame-rejected lines`);
    assert.equal(frames.lines + frames.suppressed, BAD_FRAMES);
  } finally {
    if (!stopped) await edge.stop();
  }
});
