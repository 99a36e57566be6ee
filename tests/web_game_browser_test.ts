/**
 * The browser game example (`examples/treasure-hunt-web/`) in Chromium, on the real broker, with
 * the SDK as `deno task build:client` builds it. Two players collect chests; every event is acked;
 * the leaderboard, read from Kafka by the consumer library, moves. The edge is killed mid-game and
 * comes back on its port: the outbox resends and nothing is lost. With the edge down, a page is
 * reloaded: its sessionStorage outbox resends what was unacked. Kafka, read back with kcat, holds
 * every event each player made (numbered 1..n by the game), each under one id. Saves screenshots
 * to a temporary folder, removed at the end; set `VELTRIX_TEST_ARTIFACTS=<folder>` to keep them.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { decodeRoutedEvent } from "../src/consumer/mod.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { type EdgeProcess, freePort, startEdgeProcess } from "./support/edge_process.ts";
import { type ExampleProcess, startExampleTask } from "./support/example_process.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { TEST_JWT_SECRET } from "./support/tokens.ts";

const root = new URL("../", import.meta.url).pathname;
const KEEP_ARTIFACTS_IN = Deno.env.get("VELTRIX_TEST_ARTIFACTS");

/** Builds the client package with its task into `dir`. */
async function buildPackage(dir: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "build:client", "--out", dir],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

/** The number a panel cell of the page shows, from its `data-value`. */
async function cell(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute("data-value"));
}

/** Waits until the panel cell `testId` of `page` shows `value`. */
async function until(page: Page, testId: string, value: string | number, timeout = 30_000): Promise<void> {
  await page.locator(`[data-testid="${testId}"][data-value="${value}"]`).waitFor({ timeout });
}

const KEY: Record<string, string> = { "1,0": "ArrowRight", "-1,0": "ArrowLeft", "0,1": "ArrowDown", "0,-1": "ArrowUp" };

/** Walks the player to the nearest chest left, one key press a cell; returns the steps taken. */
async function collectChest(page: Page): Promise<number> {
  const board = page.getByTestId("board");
  const x = Number(await board.getAttribute("data-x"));
  const y = Number(await board.getAttribute("data-y"));
  const chests: { x: number; y: number }[] = JSON.parse((await board.getAttribute("data-chests"))!);
  const target = chests.sort((a, b) =>
    Math.abs(a.x - x) + Math.abs(a.y - y) - Math.abs(b.x - x) - Math.abs(b.y - y)
  )[0]!;
  let steps = 0;
  for (let at = x; at !== target.x; at += Math.sign(target.x - at), steps++) {
    await page.keyboard.press(KEY[`${Math.sign(target.x - at)},0`]!);
  }
  for (let at = y; at !== target.y; at += Math.sign(target.y - at), steps++) {
    await page.keyboard.press(KEY[`0,${Math.sign(target.y - at)}`]!);
  }
  return steps;
}

/** Waits until every event `page` made is acked: its outbox is empty and it is connected. */
async function settled(page: Page): Promise<void> {
  await until(page, "outbox", 0);
  await until(page, "state", "open");
}

/** The game's event numbers (`data.seq`) of `player` in Kafka since `sinceMs`, each with the ids it was sent under. */
async function seqsInKafka(player: string, sinceMs: number): Promise<Map<number, Set<string>>> {
  const seqs = new Map<number, Set<string>>();
  for (const topic of ["game.player-activity", "game.treasure"]) {
    for (const record of await readTopic(testBrokers(), topic, sinceMs)) {
      if (record.key !== player) continue;
      const event = decodeRoutedEvent(record);
      const seq = (event.data as { seq: number }).seq;
      seqs.set(seq, (seqs.get(seq) ?? new Set()).add(event.id));
    }
  }
  return seqs;
}

Deno.test("the browser game: two players' events acked, a live leaderboard, an edge restart and a reload lose nothing, in chromium", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const since = Date.now() - 1000;
  const players = [`ada-${run}`, `bo-${run}`] as const;
  const work = await Deno.makeTempDir({ prefix: "veltrix-web-game-" });
  const artifacts = KEEP_ARTIFACTS_IN ?? work;
  const edgePort = freePort();
  let edge: EdgeProcess | undefined;
  let example: ExampleProcess | undefined;
  let browser: Browser | undefined;
  try {
    await buildPackage(`${work}/package`);
    edge = await startEdgeProcess({ VELTRIX_PORT: String(edgePort) });
    example = await startExampleTask("example:web-game", {
      KAFKA_BROKERS: testBrokers(),
      VELTRIX_EDGE_URL: edge.ingestUrl,
      VELTRIX_JWT_SECRET: TEST_JWT_SECRET,
      SDK_DIR: `${work}/package`,
      PORT: "0",
      LEADERBOARD_GROUP: `web-game-test-${run}`,
    }, { stderr: "null" });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const pageErrors: string[] = [];
    const socketUrls: string[] = [];
    const pages: Page[] = [];
    for (const player of players) {
      const page = await (await browser.newContext({ viewport: { width: 1100, height: 560 } })).newPage();
      page.on("pageerror", (error) => pageErrors.push(`${player}: ${error}`));
      page.on("console", (message) => {
        // Chromium logs each refused WebSocket connection while the edge is down; that is expected.
        if (message.type() === "error" && !/WebSocket connection to .* failed/.test(message.text())) {
          pageErrors.push(`${player}: ${message.text()}`);
        }
      });
      page.on("websocket", (socket) => socketUrls.push(socket.url()));
      const opened = await page.goto(`http://127.0.0.1:${example.port}/?player=${player}`);
      assert.equal(opened?.status(), 200);
      await until(page, "state", "open");
      pages.push(page);
    }
    const [ada, bo] = pages as [Page, Page];

    // Both play: every event acked, and the leaderboard (from Kafka) shows their gold.
    for (const page of [ada, bo, ada]) await collectChest(page);
    for (const page of pages) {
      await settled(page);
      assert.equal(await cell(page, "acked"), await cell(page, "seq"), "every event the game made is acked");
      assert.ok(await cell(page, "gold") > 0);
    }
    // Each page shows its player's row (the top ten, and its own below them).
    const leaderboardShows = async (i: number) => {
      const gold = await cell(pages[i]!, "gold");
      await pages[i]!.locator(`[data-testid="leaderboard"] tr[data-player="${players[i]}"][data-gold="${gold}"]`)
        .waitFor({ timeout: 60_000 });
    };
    await leaderboardShows(0);
    await leaderboardShows(1);
    assert.match(await ada.getByTestId("latency").innerText(), /^\d+ ms$/);

    // The edge dies mid-game (kill -9) and comes back on its port: ada's outbox resends.
    const ackedBefore = await cell(ada, "acked");
    const dying = edge.kill();
    await collectChest(ada);
    await dying;
    await collectChest(ada);
    await ada.locator('[data-testid="state"]:not([data-value="open"])').waitFor();
    assert.ok(await cell(ada, "outbox") > 0, "events wait in the outbox while the edge is down");
    edge = await startEdgeProcess({ VELTRIX_PORT: String(edgePort) });
    await settled(ada);
    assert.ok(await cell(ada, "reconnects") >= 1);
    assert.ok(await cell(ada, "acked") > ackedBefore);

    // With the edge down, bo plays on and reloads the page: the sessionStorage outbox resends.
    assert.equal(await edge.stop(), 0);
    await bo.locator('[data-testid="state"]:not([data-value="open"])').waitFor();
    const seqBefore = await cell(bo, "seq");
    await collectChest(bo);
    const unacked = await cell(bo, "seq") - seqBefore;
    await until(bo, "outbox", unacked);
    await bo.reload();
    await until(bo, "recovered", unacked);
    await until(bo, "seq", seqBefore + unacked);
    edge = await startEdgeProcess({ VELTRIX_PORT: String(edgePort) });
    await settled(bo);
    await until(bo, "acked", unacked);

    await leaderboardShows(0);
    await leaderboardShows(1);
    await Deno.mkdir(artifacts, { recursive: true });
    for (const [i, page] of pages.entries()) {
      const screenshot = `${artifacts}/treasure-hunt-${i === 0 ? "ada" : "bo"}.png`;
      await page.screenshot({ path: screenshot });
      assert.ok((await Deno.stat(screenshot)).size > 10_000, "the screenshot is not empty");
      console.log(`web game screenshot: ${screenshot}`);
    }

    // Kafka holds every event each player made, 1..n, and each under exactly one id.
    for (const [i, player] of players.entries()) {
      const made = await cell(pages[i]!, "seq");
      const seqs = await seqsInKafka(player, since);
      assert.deepEqual([...seqs.keys()].sort((a, b) => a - b), Array.from({ length: made }, (_, n) => n + 1));
      for (const [seq, ids] of seqs) assert.equal(ids.size, 1, `${player}'s event ${seq} went under one id`);
    }
    assert.deepEqual(pageErrors, [], "the pages logged no errors");
    assert.ok(socketUrls.length >= 5, "each page reconnected after each edge stop");
    assert.deepEqual(new Set(socketUrls), new Set([edge.ingestUrl]), "the token never went in a URL (subprotocol)");
  } finally {
    await browser?.close();
    assert.equal(await example?.stop() ?? 0, 0, "the example stops cleanly on SIGTERM");
    await edge?.stop();
    await Deno.remove(work, { recursive: true });
  }
});
