/**
 * The leaderboard example in a real browser (Debian's chromium, driven by playwright-core) on the
 * real broker: it runs as its own process with the `example:leaderboard` task's permissions over a
 * fresh topic, counts each event once though some are in Kafka twice, sets aside an event it cannot
 * use, and the page shows the board and follows new events. Takes a screenshot into a temporary
 * folder, removed at the end; set `VELTRIX_TEST_ARTIFACTS=<folder>` to keep it there.
 */
import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";
import { encodeRoutedEventBinary, type OutboundRecord, PROTOBUF_CONTENT_TYPE } from "../src/core/mod.ts";
import type { JsonValue } from "@bufbuild/protobuf";
import { readTopic } from "./support/kcat_reader.ts";
import { createTestTopics, freshTopic, testAdapter } from "./support/kafka_ready.ts";
import { type ExampleProcess, startExampleTask } from "./support/example_process.ts";
import { testBrokers } from "./support/kafka_target.ts";

const KEEP_ARTIFACTS_IN = Deno.env.get("VELTRIX_TEST_ARTIFACTS");

function collected(topic: string, id: string, player: string, data: JsonValue): OutboundRecord {
  const value = encodeRoutedEventBinary({ id, type: "treasure.collected", data }, {
    player,
    receivedAtMs: Date.now(),
    edgeId: "edge-a",
    routeVersion: "1",
  });
  return { topic, key: player, value, headers: { "veltrix-event-id": id, "content-type": PROTOBUF_CONTENT_TYPE } };
}

Deno.test("the leaderboard example counts each event once and shows a live board, in chromium", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const topic = freshTopic("leaderboard-test");
  const poisonTopic = `${topic}.poison`;
  const adapter = await testAdapter("leaderboard-test");
  let browser: Browser | undefined;
  let example: ExampleProcess | undefined;
  const artifacts = KEEP_ARTIFACTS_IN ?? await Deno.makeTempDir({ prefix: "veltrix-leaderboard-" });
  try {
    await createTestTopics(adapter, [{ topic, partitions: 3, replicationFactor: 1 }]);
    const gold: Record<string, number[]> = { ada: [40, 25, 30], brook: [60, 5], cyd: [20], dane: [15, 10, 5] };
    const records = Object.entries(gold).flatMap(([player, amounts]) =>
      amounts.map((g, i) => collected(topic, `${run}-${player}-${i}`, player, { chest: i, gold: g }))
    );
    // A resend of two events (in Kafka twice), and one event the board cannot use.
    await adapter.produce(
      [...records, records[0]!, records[3]!, collected(topic, `${run}-bad`, "eve", { chest: 9 })],
      30_000,
    );

    example = await startExampleTask("example:leaderboard", {
      KAFKA_BROKERS: testBrokers(),
      PORT: "0",
      LEADERBOARD_TOPIC: topic,
      LEADERBOARD_GROUP: `leaderboard-test-${run}`,
    });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const page = await browser.newPage({ viewport: { width: 900, height: 520 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    const opened = await page.goto(`http://127.0.0.1:${example.port}/`);
    assert.equal(opened?.status(), 200);

    const rowsText = async () =>
      (await page.getByTestId("rows").locator("tr").allInnerTexts()).map((t) => t.split("\t").map((c) => c.trim()));
    const meta = page.getByTestId("meta");
    await page.locator('[data-testid="meta"][data-handled="9"]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await rowsText(), [
      ["1", "ada", "95", "3"],
      ["2", "brook", "65", "2"],
      ["3", "dane", "30", "3"],
      ["4", "cyd", "20", "1"],
    ]);
    assert.match(await meta.innerText(), /^9 events handled, 2 duplicates skipped, 1 set aside/);

    // A new event moves cyd to the top while the page is open.
    await adapter.produce([collected(topic, `${run}-cyd-1`, "cyd", { chest: 7, gold: 100 })], 30_000);
    await page.locator('[data-testid="rows"] tr:first-child[data-player="cyd"]').waitFor({ timeout: 30_000 });
    assert.deepEqual((await rowsText())[0], ["1", "cyd", "120", "2"]);
    const screenshot = `${artifacts}/leaderboard.png`;
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`leaderboard screenshot: ${screenshot}`);
    assert.deepEqual(pageErrors, []);

    const aside = await readTopic(testBrokers(), poisonTopic, 0);
    assert.equal(aside.length, 1);
    assert.equal(aside[0]!.headers["veltrix-event-id"], `${run}-bad`);
    assert.match(aside[0]!.headers["veltrix-poison-error"]!, /no usable data\.gold/);
  } finally {
    await browser?.close();
    assert.equal(await example?.stop() ?? 0, 0, "the example stops cleanly on SIGTERM");
    await adapter.close();
    if (KEEP_ARTIFACTS_IN === undefined) await Deno.remove(artifacts, { recursive: true });
  }
});
