/**
 * The ops dashboard in a real browser (Debian's chromium, driven by playwright-core) against a
 * real edge under load: the numbers move, the latency chart fills, a pushed route update shows up
 * with who signed it, and without the ops token the page is refused; and the Tenants section, with
 * two tenants' traffic, shows each listed tenant and other with its quota and use, the tenant
 * refused over its quota highlighted and the other not. Takes a screenshot into a
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
import { CHESS, KART, pushTenantMap, tenantEdgeEnv, TenantTraffic } from "./support/tenant_traffic.ts";

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

/** Debian's chromium, headless. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
    ],
  });
}

/** Collects what the page logs as an error, fails to load, or throws. */
function pageErrorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
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
    browser = await launchChromium();
    const outsider = await browser.newPage();
    const refused = await outsider.goto(`${admin}/dashboard`);
    assert.equal(refused?.status(), 401, "the page needs the ops token");
    const wrong = await outsider.goto(`${admin}/dashboard?token=not-the-ops-token-0123456789`);
    assert.equal(wrong?.status(), 401, "and only the right one");
    await outsider.close();

    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const pageErrors = pageErrorsOf(page);

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

Deno.test("the dashboard's Tenants section shows each tenant's quota and use, the one over quota highlighted, in chromium", async () => {
  const ops = await makeSigningKey("ops-dash-tenants");
  const edge = await startEdgeProcess({ ...tenantEdgeEnv(ops), VELTRIX_OPS_TOKEN: OPS_TOKEN });
  const admin = `http://127.0.0.1:${edge.adminPort}`;
  let traffic: TenantTraffic | undefined;
  let browser: Browser | undefined;
  try {
    await pushTenantMap(admin, ops, { authorization: `Bearer ${OPS_TOKEN}` });
    traffic = await TenantTraffic.start(edge.ingestUrl);
    await traffic.flowing();
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const pageErrors = pageErrorsOf(page);
    assert.equal((await page.goto(`${admin}/dashboard?token=${OPS_TOKEN}`))?.status(), 200);

    const rows = page.getByTestId("tenant-row");
    const names = () => rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-tenant")));
    await eventually("the listed tenants, then other", names, (n) => n.join() === "kart,chess,other");
    /** A tenant's row: whether it is over quota, and each cell's value and quota by field. */
    const row = (tenant: string) =>
      page.locator(`[data-testid="tenant-row"][data-tenant="${tenant}"]`).evaluate((tr) => ({
        over: tr.getAttribute("data-over"),
        className: tr.className,
        cells: Object.fromEntries(
          [...tr.querySelectorAll("td[data-field]")].map((td) => [
            td.getAttribute("data-field"),
            { value: td.getAttribute("data-value"), quota: td.getAttribute("data-quota") },
          ]),
        ),
      }));
    // kart sends about 100 events/s against a quota of 20: refused, so highlighted; chess is not.
    const kart = await eventually("kart over quota", () => row("kart"), (r) => r.over === "true");
    assert.equal(kart.className, "over");
    assert.ok(Number(kart.cells.refused?.value) > 0, JSON.stringify(kart));
    assert.ok(Number(kart.cells.admitted?.value) > 0, JSON.stringify(kart));
    assert.equal(kart.cells.admitted?.quota, String(KART.eventsPerSecond));
    assert.deepEqual(kart.cells.connections, { value: "1", quota: String(KART.maxConnections) });
    assert.equal(kart.cells.bytes?.quota, "", "kart has no bytes quota");
    const chess = await row("chess");
    assert.equal(chess.over, "false");
    assert.equal(chess.className, "");
    assert.equal(chess.cells.refused?.value, "0");
    assert.equal(chess.cells.admitted?.quota, String(CHESS.eventsPerSecond));
    assert.equal(chess.cells.bytes?.quota, String(CHESS.bytesPerSecond));
    assert.equal(chess.cells.prefix?.value, CHESS.topicPrefix);
    const other = await row("other");
    assert.deepEqual([other.over, other.cells.connections?.quota, other.cells.admitted?.quota], ["false", "100", ""]);
    assert.match(
      await page.getByTestId("tenants-summary").textContent() ?? "",
      /2 listed \+ other, over quota now: kart/,
    );

    // Ack p99 per tenant, from veltrix_tenant_ack_seconds: both tenants have events acked.
    for (const tenant of ["kart", "chess"]) {
      await eventually(
        `${tenant}'s ack p99`,
        async () => (await row(tenant)).cells["ack-p99"]?.value,
        (v) => Number(v) > 0,
      );
    }
    // It is a p99 over the last 10 s, shown only with enough acks: other has none, so none is shown.
    const ackCell = (tenant: string) =>
      page.locator(`[data-testid="tenant-row"][data-tenant="${tenant}"] td[data-field="ack-p99"]`);
    assert.equal(await ackCell("chess").getAttribute("data-kind"), "estimate");
    assert.ok(Number(await ackCell("chess").getAttribute("data-samples")) >= 20);
    assert.deepEqual(
      [await ackCell("other").textContent(), await ackCell("other").getAttribute("data-kind")],
      ["—", "too-few"],
    );
    assert.match(await page.locator("table:has(#tenants) thead").textContent() ?? "", /Ack p99, last 10 s/);
    if (KEEP_ARTIFACTS_IN) {
      await Deno.mkdir(KEEP_ARTIFACTS_IN, { recursive: true });
      const screenshot = `${KEEP_ARTIFACTS_IN}/dashboard-tenants.png`;
      await page.getByTestId("tenants-table").locator("xpath=ancestor::section").screenshot({ path: screenshot });
      console.log(`tenants screenshot: ${screenshot}`);
    }
    assert.deepEqual(pageErrors, [], "the page logged no errors");
  } finally {
    await browser?.close();
    await traffic?.stop();
    await edge.stop();
  }
});
