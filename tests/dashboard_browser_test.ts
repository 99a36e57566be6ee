/**
 * The ops dashboard in a real browser (Debian's chromium, driven by playwright-core) against a
 * real edge under load: the numbers move, the latency chart fills, a pushed route update shows up
 * with who signed it, and without the ops token the page is refused. Takes a screenshot into a
 * temporary folder, removed at the end; set `VELTRIX_TEST_ARTIFACTS=<folder>` to keep it there.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { Format, KeyStrategy } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";
import { SteadySenders } from "./support/steady_senders.ts";
import { playerToken } from "./support/tokens.ts";

const OPS_TOKEN = "dashboard-ops-token-0123456789";
/** A folder to keep the screenshot in; without it, the screenshot goes to a temporary folder. */
const KEEP_ARTIFACTS_IN = Deno.env.get("VELTRIX_TEST_ARTIFACTS");

/** The raw number a dashboard tile carries in `data-value` (NaN while it has none). */
async function tileValue(page: Page, testId: string): Promise<number> {
  const raw = await page.getByTestId(testId).getAttribute("data-value");
  return raw === null || raw === "" ? Number.NaN : Number(raw);
}

/** Reads `read` every 100 ms until `holds` accepts what it returns; fails after `timeoutMs` with the last value. */
async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  holds: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test("the dashboard shows live numbers under load and a pushed route update, in chromium", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const ops = await makeSigningKey(`ops-dash-${run}`);
  const edge = await startEdgeProcess({ VELTRIX_OPS_TOKEN: OPS_TOKEN, VELTRIX_TRUSTED_KEYS: ops.trustEntry });
  const admin = `http://127.0.0.1:${edge.adminPort}`;
  let senders: SteadySenders | undefined;
  let browser: Browser | undefined;
  let misbehaving: IngestClient | undefined;
  const artifacts = KEEP_ARTIFACTS_IN ?? await Deno.makeTempDir({ prefix: "veltrix-dashboard-" });
  try {
    senders = SteadySenders.start(edge.ingestUrl, 4, 40);
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
      ],
    });
    const outsider = await browser.newPage();
    const refused = await outsider.goto(`${admin}/dashboard`);
    assert.equal(refused?.status(), 401, "the page needs the ops token");
    const wrong = await outsider.goto(`${admin}/dashboard?token=not-the-ops-token-0123456789`);
    assert.equal(wrong?.status(), 401, "and only the right one");
    await outsider.close();

    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
    });

    const opened = await page.goto(`${admin}/dashboard?token=${OPS_TOKEN}`);
    assert.equal(opened?.status(), 200);
    await eventually("the stream is live", () => page.getByTestId("status").textContent(), (text) => text === "live");
    assert.equal(await page.getByTestId("edge-id").textContent(), edge.edgeId);

    await eventually("events come in", () => tileValue(page, "events-in-rate"), (rate) => rate > 0);
    await eventually("events get acked", () => tileValue(page, "events-acked-rate"), (rate) => rate > 0);
    const acked = await tileValue(page, "events-acked-total");
    await eventually("the acked total moves", () => tileValue(page, "events-acked-total"), (now) => now > acked);
    await eventually("the open connections show", () => tileValue(page, "open-connections"), (n) => n === 4);
    await eventually(
      "the latency chart has points",
      () => page.getByTestId("latency-chart").getAttribute("data-points"),
      (points) => Number(points) >= 2,
    );
    assert.equal(await page.locator('[data-testid="latency-chart"] path[data-series="p99Ms"]').count(), 1);
    assert.match(await page.getByTestId("latency-p99").textContent() ?? "", /^[\d.,]+ ms$/);

    misbehaving = await IngestClient.connect(edge.ingestUrl, await playerToken(`bad-${run}`));
    misbehaving.sendJson([1, 2, 3].map((i) => ({ id: `${run}-bad-${i}`, type: "Not A Type!" })));
    await misbehaving.waitFor(() => misbehaving!.rejected.size === 3);
    const invalid = page.locator('[data-testid="reject-row"][data-code="INVALID_EVENT"] td');
    await eventually("the rejects show by code", () => invalid.allTextContents(), (cells) => cells[1] === "3");

    assert.equal(await tileValue(page, "route-version"), 1);
    assert.equal(await page.getByTestId("history-row").count(), 1);

    const topic = `dashboard.probe-${run}`;
    const map = simpleMap(2n);
    map.routes = [
      ...map.routes!,
      {
        name: "dashboard-probe",
        match: "probe.*",
        targets: [{ topic, key: KeyStrategy.EVENT_ID, format: Format.JSON }],
      },
    ];
    const pushed = await fetch(`${admin}/v1/routes`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: signedBytes(await signRouteMap(ops, map)),
    });
    assert.equal(pushed.status, 200, await pushed.text());

    const latest = page.locator('[data-testid="history-row"][data-version="2"]');
    await eventually("the new version is in the history", () => latest.count(), (n) => n === 1);
    const cells = await latest.locator("td").allTextContents();
    assert.equal(cells[1], ops.id, "with the key that signed it");
    assert.equal(cells[2], "admin");
    assert.ok(!Number.isNaN(Date.parse((await latest.locator("td").nth(3).getAttribute("title")) ?? "")));
    assert.equal(await page.getByTestId("history-row").count(), 2);
    assert.equal(await tileValue(page, "route-version"), 2);
    const probe = page.locator('[data-testid="route-row"][data-route="dashboard-probe"]');
    assert.deepEqual(await probe.locator("td").allTextContents(), [
      "dashboard-probe",
      "probe.*",
      `${topic} · EVENT_ID · JSON`,
    ]);

    const fleetRow = page.locator(`[data-testid="fleet-row"][data-edge="${edge.edgeId}"] td`);
    await eventually("this edge in the fleet panel", () => fleetRow.allTextContents(), (cells) => cells[2] === "2");
    assert.equal((await fleetRow.allTextContents())[1], "live");
    const dryRun = await fetch(`${admin}/v1/routes:dry-run`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${OPS_TOKEN}` },
      body: JSON.stringify({ version: "3", routes: [{ name: "only", match: "probe.*", targets: [{ topic }] }] }),
    });
    assert.equal(dryRun.status, 200);
    await dryRun.body?.cancel();
    await eventually(
      "the dry run in its panel",
      () => page.getByTestId("dry-run-row").count(),
      (rows) => rows > 0,
    );
    assert.match(await page.locator("#dry-run-summary").textContent() ?? "", /^version 2 → 3 at /);

    await Deno.mkdir(artifacts, { recursive: true });
    const screenshot = `${artifacts}/dashboard.png`;
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok((await Deno.stat(screenshot)).size > 0, "the screenshot is not empty");
    if (KEEP_ARTIFACTS_IN) console.log(`dashboard screenshot: ${screenshot}`);
    assert.deepEqual(pageErrors, [], "the page logged no errors");
  } finally {
    await misbehaving?.close();
    await browser?.close();
    await senders?.close();
    await edge.stop();
    if (!KEEP_ARTIFACTS_IN) await Deno.remove(artifacts, { recursive: true });
  }
});
