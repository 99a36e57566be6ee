/**
 * The client SDK as its users get it: `deno task build:client` builds the npm package, and these
 * tests use only what it wrote, never `src/client/`:
 *
 * - the package's shape (exports, types, version, no dependencies) and the browser bundle's
 *   gzipped size against its budget;
 * - Node 20: a scratch project installs the packed tarball and npm `ws`, sends events to a real
 *   edge and gets every ack; kcat finds them in Kafka;
 * - Chromium: a page loads the minified bundle, sends a batch and gets the acks; events left
 *   unacked in a `sessionStorage` outbox are resent after a reload and reach Kafka.
 */
import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";
import type * as Sdk from "../src/client/mod.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { BUNDLE_PATH } from "../tools/client/build_client.ts";
import { freePort, startEdgeProcess } from "./support/edge_process.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

const root = new URL("../", import.meta.url).pathname;
/** The most the gzipped browser bundle may weigh: measured 5.5 KB (2026-12-07, with token refresh), room to grow. */
const BUNDLE_GZIP_BUDGET = 7 * 1024;
/** The `ws` the scratch Node project installs: the version deno.json pins. */
const WS_VERSION = "8.23.0";

async function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const out = await new Deno.Command(cmd, { args, ...options, stdout: "piped", stderr: "piped" }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}): ${text(out.stderr)}`);
  return text(out.stdout);
}

let building: Promise<{ dir: string; pkg: string; report: { bundleBytes: number; bundleGzipBytes: number } }>;

/** Builds the package once for the tests that need it, with the task itself, into a temporary folder. */
function built() {
  building ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "veltrix-client-pkg-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const line = await run(Deno.execPath(), ["task", "-q", "build:client", "--out", `${dir}/package`], { cwd: root });
    return { dir, pkg: `${dir}/package`, report: JSON.parse(line.trim().split("\n").at(-1)!) };
  })();
  return building;
}

/**
 * Serves one player's tokens over HTTP, as a game's token endpoint would, on a free port; each
 * lives `ttlS` seconds, so that a client holding a session longer must refresh it.
 */
function tokenEndpoint(player: string, ttlS = 3600) {
  let issued = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    issued++;
    const token = await playerToken(player, { exp: Math.floor(Date.now() / 1000) + ttlS });
    return new Response(token, { headers: { "access-control-allow-origin": "*" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/token`, issued: () => issued, stop: () => server.shutdown() };
}

/** An edge that allows no clock skew: a session whose token was not refreshed ends right at its `exp`. */
const strictEdge = () => startEdgeProcess({ VELTRIX_JWT_CLOCK_SKEW_S: "0" });
/** The lifetime of the tokens the refresh tests hand out, in seconds. */
const SHORT_TTL_S = 4;

/** Ids of `player`'s records in `topic` since `sinceMs`, read back with kcat. */
async function idsInKafka(topic: string, player: string, sinceMs: number): Promise<string[]> {
  const records = await readTopic(testBrokers(), topic, sinceMs);
  return records.filter((record) => record.key === player).map((record) => record.headers["veltrix-event-id"]!);
}

Deno.test("deno task build:client writes an npm package with ESM, types and a minified browser bundle within its size budget", async () => {
  const { pkg, report } = await built();
  const manifest = JSON.parse(await Deno.readTextFile(`${pkg}/package.json`));
  const jsr = JSON.parse(await Deno.readTextFile(`${root}src/client/jsr.json`));
  assert.equal(manifest.name, jsr.name);
  assert.equal(manifest.version, jsr.version);
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.equal(manifest.type, "module");
  assert.equal(manifest.types, "./esm/mod.d.ts");
  assert.deepEqual(manifest.exports["."], { types: "./esm/mod.d.ts", default: "./esm/mod.js" });
  assert.equal(manifest.exports["./browser"].default, `./${BUNDLE_PATH}`);
  assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
  for (const file of ["esm/mod.js", "esm/mod.d.ts", "esm/veltrix_client.d.ts", BUNDLE_PATH, `${BUNDLE_PATH}.map`]) {
    assert.ok((await Deno.stat(`${pkg}/${file}`)).size > 0, `${file} is written`);
  }
  const bundle = await Deno.readTextFile(`${pkg}/${BUNDLE_PATH}`);
  assert.ok(bundle.split("\n").length <= 3, "the bundle is minified");
  assert.match(bundle, /\/\/# sourceMappingURL=veltrix-client\.min\.js\.map\s*$/);
  assert.doesNotMatch(bundle, /\bimport\s*[\w{*][^;]*from\s*["']/, "the bundle imports nothing");
  assert.ok(report.bundleGzipBytes > 1000, `measured ${report.bundleGzipBytes} bytes`);
  console.log(`browser bundle: ${report.bundleBytes} bytes, ${report.bundleGzipBytes} bytes gzipped`);
  assert.ok(
    report.bundleGzipBytes <= BUNDLE_GZIP_BUDGET,
    `the gzipped bundle (${report.bundleGzipBytes} B) is within its budget (${BUNDLE_GZIP_BUDGET} B)`,
  );
});

Deno.test("in Node 20, a scratch project that installed the packed package and npm ws authenticates by subprotocol, gets every event acked, and refreshes its token in band", async () => {
  const { dir, pkg } = await built();
  const since = Date.now() - 1000;
  const player = `pkg-node-${crypto.randomUUID().slice(0, 8)}`;
  const project = `${dir}/node-project`;
  await Deno.mkdir(project);
  await Deno.writeTextFile(
    `${project}/package.json`,
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
  const tarball = (await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: pkg })).trim();
  const quiet = ["--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"];
  await run("npm", ["install", ...quiet, `${dir}/${tarball}`, `ws@${WS_VERSION}`], { cwd: project });
  await Deno.copyFile(`${root}tests/support/client_package/node_probe.mjs`, `${project}/probe.mjs`);

  const edge = await strictEdge();
  const tokens = tokenEndpoint(player, SHORT_TTL_S);
  try {
    const out = await run("node", ["probe.mjs"], {
      cwd: project,
      env: { VELTRIX_URL: edge.ingestUrl, VELTRIX_TOKEN_URL: tokens.url, VELTRIX_EVENTS: "5", VELTRIX_REFRESHES: "2" },
    });
    const result = JSON.parse(out.trim().split("\n").at(-1)!);
    assert.equal(result.ids.length, 10);
    assert.equal(result.stats.acked, 10);
    assert.equal(result.stats.rejected, 0);
    assert.equal(result.unacked, 0);
    // Two refreshes: the session outlived its first token (the edge allows no skew) on one connection.
    assert.ok(result.tokenCalls >= 3, `token calls: ${result.tokenCalls}`);
    assert.equal(result.stats.reconnects, 0, "the refreshed session went on without a reconnect");
    assert.deepEqual(result.states, ["open", "closing", "closed"]);
    assert.equal(result.sockets.length, 1);
    const [socket] = result.sockets;
    assert.equal(socket.url, edge.ingestUrl, "no token in the URL");
    assert.equal(socket.protocols[0], "veltrix.v1");
    assert.match(socket.protocols[1], /^veltrix\.bearer\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(socket.chosen, "veltrix.v1", "the edge chose the protocol, not the token");
    assert.deepEqual((await idsInKafka("game.treasure", player, since)).sort(), [...result.ids].sort());
  } finally {
    await tokens.stop();
    assert.equal(await edge.stop(), 0);
  }
});

/** What the page's module puts on `window`: the bundle's exports. */
type PageWindow = { veltrix: typeof Sdk };

Deno.test("in Chromium, a page that loads the minified bundle authenticates by subprotocol, batches events, gets them acked, refreshes its token, and its sessionStorage outbox survives a reload", async () => {
  const { pkg } = await built();
  const since = Date.now() - 1000;
  const player = `pkg-browser-${crypto.randomUUID().slice(0, 8)}`;
  const bundle = await Deno.readFile(`${pkg}/${BUNDLE_PATH}`);
  const page_html = `<!doctype html><title>bundle</title>
<script type="module">import * as veltrix from "/veltrix-client.min.js"; window.veltrix = veltrix;</script>`;
  const site = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response(page_html, { headers: { "content-type": "text/html" } });
    if (pathname === "/veltrix-client.min.js") {
      return new Response(bundle, { headers: { "content-type": "text/javascript" } });
    }
    return new Response("not found", { status: 404 });
  });
  const edge = await strictEdge();
  const tokens = tokenEndpoint(player, SHORT_TTL_S);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    const frames = { events: 0, refreshes: 0, sessions: 0 };
    page.on("websocket", (socket) => {
      socket.on("framesent", ({ payload }) => {
        if (String(payload).includes('"events"')) frames.events++;
        if (String(payload).startsWith('{"token"')) frames.refreshes++;
      });
      socket.on("framereceived", ({ payload }) => String(payload).startsWith('{"session"') && frames.sessions++);
    });
    // What the browser put on the wire in each WebSocket handshake, and what the edge answered.
    const handshakes: { url: string; offered?: string; chosen?: string }[] = [];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const header = (headers: Record<string, string>, name: string) =>
      Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    cdp.on("Network.webSocketCreated", ({ url }) => handshakes.push({ url }));
    cdp.on("Network.webSocketWillSendHandshakeRequest", ({ request }) => {
      handshakes.at(-1)!.offered = header(request.headers, "sec-websocket-protocol");
    });
    cdp.on("Network.webSocketHandshakeResponseReceived", ({ response }) => {
      handshakes.at(-1)!.chosen = header(response.headers, "sec-websocket-protocol");
    });
    await page.goto(`http://127.0.0.1:${site.addr.port}/`);
    await page.waitForFunction(() => "veltrix" in window);
    const token = await playerToken(player);

    const acked = await page.evaluate(async ({ url, tokenUrl }) => {
      const { VeltrixClient } = (window as unknown as PageWindow).veltrix;
      let tokenCalls = 0;
      let refreshedTwice = () => {};
      const client = new VeltrixClient({
        url,
        token: async () => {
          if (++tokenCalls === 3) refreshedTwice();
          return await (await fetch(tokenUrl)).text();
        },
        batchWindowMs: 50,
      });
      const send = (n: number, round: number) =>
        Array.from({ length: n }, (_, seq) => client.send("treasure.collected", { round, chest: seq, gold: 1 }));
      const results = await Promise.all(send(20, 1));
      const statsBefore = client.stats;
      // Two refreshes: the session outlives its first token (the edge allows no skew).
      await new Promise<void>((resolve) => tokenCalls >= 3 ? resolve() : refreshedTwice = resolve);
      results.push(...await Promise.all(send(5, 2)));
      const stats = client.stats;
      await client.close();
      return { ids: results.map((result) => result.id), statsBefore, stats, tokenCalls };
    }, { url: edge.ingestUrl, tokenUrl: tokens.url });
    assert.equal(acked.ids.length, 25);
    assert.equal(acked.statsBefore.acked, 20);
    assert.equal(acked.stats.acked, 25);
    assert.ok(frames.events >= 2 && frames.events < 20, `25 events went in ${frames.events} frames`);
    assert.ok(acked.tokenCalls >= 3 && frames.refreshes >= 2, `refreshes on the wire: ${frames.refreshes}`);
    assert.ok(frames.sessions >= 2, "the edge answered each refresh with the session's new expiry");
    assert.equal(acked.stats.reconnects, 0, "the refreshed session went on without a reconnect");
    assert.equal(handshakes.length, 1);
    assert.equal(handshakes[0]!.url, edge.ingestUrl, "no token in the URL");
    assert.match(handshakes[0]!.offered ?? "", /^veltrix\.v1, ?veltrix\.bearer\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(handshakes[0]!.chosen, "veltrix.v1", "the edge chose the protocol, not the token");

    // Nothing listens on this port: the events wait in the sessionStorage outbox through a reload.
    const nowhere = `ws://127.0.0.1:${freePort()}/v1/ingest`;
    const stored = await page.evaluate(async ({ url, token }) => {
      const { VeltrixClient, WebStorageOutboxStore } = (window as unknown as PageWindow).veltrix;
      const client = new VeltrixClient({ url, token, store: new WebStorageOutboxStore(sessionStorage) });
      const ids = ["a", "b", "c"].map((tag) => {
        const sent = client.send("treasure.collected", { chest: tag, gold: 5 });
        sent.catch(() => {}); // The page goes away before these settle.
        return sent;
      });
      while (client.outboxDepth < ids.length) await new Promise((resolve) => setTimeout(resolve, 10));
      return { depth: client.outboxDepth, keys: Object.keys(sessionStorage).length };
    }, { url: nowhere, token });
    assert.equal(stored.depth, 3);
    assert.ok(stored.keys >= 1, "the outbox is in sessionStorage");

    await page.reload();
    await page.waitForFunction(() => "veltrix" in window);
    const resent = await page.evaluate(async ({ url, token }) => {
      const { VeltrixClient, WebStorageOutboxStore } = (window as unknown as PageWindow).veltrix;
      const client = new VeltrixClient({ url, token, store: new WebStorageOutboxStore(sessionStorage) });
      const recovered: string[] = [];
      const acks: string[] = [];
      client.on("recovered", (entries) => recovered.push(...entries.map((entry) => entry.id)));
      const done = new Promise<void>((resolve) =>
        client.on("ack", (id) => {
          acks.push(id);
          if (recovered.length > 0 && acks.length === recovered.length) resolve();
        })
      );
      await done;
      const depth = client.outboxDepth;
      await client.close();
      return { recovered, acks, depth };
    }, { url: edge.ingestUrl, token });
    assert.equal(resent.recovered.length, 3, "the reloaded page found the three stored events");
    assert.deepEqual([...resent.acks].sort(), [...resent.recovered].sort(), "and got each acked");
    assert.equal(resent.depth, 0);
    assert.deepEqual(pageErrors, []);

    const inKafka = await idsInKafka("game.treasure", player, since);
    assert.deepEqual(inKafka.sort(), [...acked.ids, ...resent.recovered].sort(), "every acked id is in Kafka once");
  } finally {
    await browser?.close();
    await tokens.stop();
    await site.shutdown();
    assert.equal(await edge.stop(), 0);
  }
});

Deno.test("src/client is JSR-ready: it stands alone, deno publish --dry-run passes on a copy of it, and every export has docs", async () => {
  const copy = await Deno.makeTempDir({ prefix: "veltrix-client-jsr-" });
  try {
    await run("cp", ["-R", `${root}src/client/.`, copy]);
    // The project has not chosen a license yet; JSR requires one, so the copy names a placeholder.
    const jsr = JSON.parse(await Deno.readTextFile(`${copy}/jsr.json`));
    await Deno.writeTextFile(`${copy}/jsr.json`, JSON.stringify({ ...jsr, license: "LicenseRef-Veltrix" }));
    // Outside the repository, an import of anything beyond src/client would fail to resolve.
    const published = await new Deno.Command(Deno.execPath(), {
      args: ["publish", "--dry-run", "--allow-dirty"],
      cwd: copy,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(published.stderr) + new TextDecoder().decode(published.stdout);
    assert.ok(published.success, said);
    assert.match(said, /Simulating publish/);
    assert.ok(said.includes(`${jsr.name}@${jsr.version}`), said);
    await run(Deno.execPath(), ["doc", "--lint", `${root}src/client/mod.ts`]);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
