/**
 * The client app's upgrade refusals, in process through Hono's `app.request()`: no server, no
 * Kafka. A WebSocket that really opens needs a real socket: tests/ingest_auth_test.ts covers it.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { sign } from "hono/jwt";
import { compileRouteMapOrThrow } from "../../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../../core/route_map/default_route_map.ts";
import type { ErrorCode } from "../../core/errors/error_code.ts";
import { embeddedSnapshot, LiveRouteTable } from "../../core/route_map/live_route_table.ts";
import type { Logger } from "../../core/ops/logger.ts";
import { RateLimitedLog } from "../../core/ops/rate_limited_log.ts";
import { ConnectionRegistry, type RegisteredSocket } from "../ingest/connection_registry.ts";
import { createIngestContext } from "../ingest/ingest_context.ts";
import { ProduceBatcher } from "../ingest/produce_batcher.ts";
import { Readiness } from "../../core/ops/readiness.ts";
import { createEdgeApp, type EdgeAppOptions } from "./edge_app.ts";
import { PlayerTokenVerifier } from "./player_token.ts";

const SECRET = "edge-app-test-secret-0123456789";
const ALLOWED_ORIGIN = "https://game.example";

/** One line the app logged. */
interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly fields?: Record<string, unknown>;
}

/** An edge app and the small real parts it was built from, for a test to change and look at. */
interface EdgeUnderTest {
  readonly app: Hono;
  readonly options: EdgeAppOptions;
  readonly readiness: Readiness;
  readonly connections: ConnectionRegistry;
  readonly logs: LogLine[];
  /** Opens `n` connections of stand-in sockets for `player` (a new player each by default). */
  holdConnections(n: number, player?: string): void;
  /** Closes the connections {@link holdConnections} opened for `player`, or all of them. */
  releaseConnections(player?: string): void;
}

/**
 * Builds `createEdgeApp` options from small real objects (a ready Readiness, a PlayerConnections,
 * an HS256 PlayerTokenVerifier, an empty connection map, a batcher whose sink accepts everything)
 * with limits of 2 connections, 1 per player and one allowed origin. The one place that knows the
 * option shape: adapt it here when connection bookkeeping changes.
 */
async function edgeUnderTest(
  limits: Partial<EdgeAppOptions["limits"]> & { maxConnections?: number; maxConnectionsPerPlayer?: number } = {},
): Promise<EdgeUnderTest> {
  const logs: LogLine[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void logs.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  const readiness = new Readiness(["kafka", "routes"]);
  readiness.set("kafka", true);
  readiness.set("routes", true);
  const batcher = new ProduceBatcher({ write: () => Promise.resolve() }, {
    lingerMs: 2,
    batchMaxEvents: 100,
    batchMaxBytes: 1_000_000,
    maxInFlightBatches: 1,
    maxPendingEvents: 1_000,
  });
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const connections = new ConnectionRegistry(createIngestContext({ routes, batcher, edgeId: "edge-test" }), {
    maxConnections: limits.maxConnections ?? 2,
    maxConnectionsPerPlayer: limits.maxConnectionsPerPlayer ?? 1,
    ratePerPlayer: Infinity,
  });
  const held: { socket: RegisteredSocket; player: string }[] = [];
  const options: EdgeAppOptions = {
    tokens: await PlayerTokenVerifier.create({ hs256Secret: SECRET }),
    readiness,
    connections,
    limits: {
      handshakeTimeoutMs: limits.handshakeTimeoutMs ?? 1_000,
      allowedOrigins: limits.allowedOrigins ?? [ALLOWED_ORIGIN],
    },
    logger,
    log: new RateLimitedLog(logger),
  };
  return {
    app: createEdgeApp(options),
    options,
    readiness,
    connections,
    logs,
    holdConnections(n, player) {
      for (let i = 0; i < n; i++) {
        const socket = { readyState: WebSocket.OPEN, send() {}, close() {} };
        const holder = player ?? `holder-${held.length}`;
        held.push({ socket, player: holder });
        connections.open(socket, holder);
      }
    },
    releaseConnections(player) {
      for (const entry of held) if (player === undefined || entry.player === player) connections.closed(entry.socket);
    },
  };
}

/** Polls `check` every 5 ms until it holds, failing after 2 s. */
async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tokenFor(player: string, claims: Record<string, unknown> = {}): Promise<string> {
  return sign({ sub: player, exp: Math.floor(Date.now() / 1000) + 60, ...claims }, SECRET);
}

/** The headers of a browser's WebSocket upgrade from the allowed origin. */
function upgradeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
    origin: ALLOWED_ORIGIN,
    ...extra,
  };
}

/** Asks for an upgrade of /v1/ingest and expects it refused with `code` and `status`. */
async function expectRefused(
  edge: EdgeUnderTest,
  request: { query?: string; headers?: Record<string, string> },
  code: ErrorCode,
  status: number,
): Promise<string> {
  const response = await edge.app.request(`/v1/ingest${request.query ?? ""}`, { headers: request.headers ?? {} });
  const body = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  assert.deepEqual(Object.keys(body), ["error"]);
  return body.error.message;
}

Deno.test("createEdgeApp() answers a GET /v1/ingest that is not an upgrade with 426 UPGRADE_REQUIRED", async () => {
  const edge = await edgeUnderTest();
  await expectRefused(edge, { query: `?token=${await tokenFor("p")}` }, "UPGRADE_REQUIRED", 426);
  await expectRefused(edge, { headers: { upgrade: "h2c" } }, "UPGRADE_REQUIRED", 426);
});

Deno.test("createEdgeApp() refuses an upgrade from an origin not allowed with 403 ORIGIN_NOT_ALLOWED", async () => {
  const edge = await edgeUnderTest();
  const headers = upgradeHeaders({ origin: "https://evil.example", authorization: `Bearer ${await tokenFor("p")}` });
  const message = await expectRefused(edge, { headers }, "ORIGIN_NOT_ALLOWED", 403);
  assert.match(message, /evil\.example/);
});

Deno.test("createEdgeApp() lets any origin, and no origin, past the origin check when none is configured", async () => {
  const edge = await edgeUnderTest({ allowedOrigins: [] });
  // Past the origin check, a missing token is the next refusal.
  await expectRefused(edge, { headers: upgradeHeaders({ origin: "https://any.example" }) }, "UNAUTHORIZED", 401);
  const strict = await edgeUnderTest();
  const { origin: _origin, ...withoutOrigin } = upgradeHeaders();
  await expectRefused(strict, { headers: withoutOrigin }, "UNAUTHORIZED", 401);
});

Deno.test("createEdgeApp() refuses an upgrade with a missing, invalid, expired, exp-less or sub-less token with 401 UNAUTHORIZED", async () => {
  const edge = await edgeUnderTest();
  const headers = upgradeHeaders();
  await expectRefused(edge, { headers }, "UNAUTHORIZED", 401);
  await expectRefused(edge, { headers, query: "?token=not.a.jwt" }, "UNAUTHORIZED", 401);
  const forged = await sign({ sub: "p", exp: Math.floor(Date.now() / 1000) + 60 }, "another-secret-0123456789");
  await expectRefused(edge, { headers, query: `?token=${forged}` }, "UNAUTHORIZED", 401);
  const expired = await tokenFor("p", { exp: Math.floor(Date.now() / 1000) - 120 });
  assert.match(await expectRefused(edge, { headers, query: `?token=${expired}` }, "UNAUTHORIZED", 401), /expired/);
  const eternal = await sign({ sub: "p" }, SECRET);
  assert.match(await expectRefused(edge, { headers, query: `?token=${eternal}` }, "UNAUTHORIZED", 401), /exp/);
  const nobody = await sign({ exp: Math.floor(Date.now() / 1000) + 60 }, SECRET);
  assert.match(await expectRefused(edge, { headers, query: `?token=${nobody}` }, "UNAUTHORIZED", 401), /sub/);
  const bearer = upgradeHeaders({ authorization: `Bearer ${expired}` });
  await expectRefused(edge, { headers: bearer }, "UNAUTHORIZED", 401);
});

Deno.test("createEdgeApp() refuses a valid upgrade with 503 NOT_READY while the edge is not ready", async () => {
  const edge = await edgeUnderTest();
  edge.readiness.set("kafka", false);
  const message = await expectRefused(
    edge,
    { headers: upgradeHeaders({ authorization: `Bearer ${await tokenFor("p")}` }) },
    "NOT_READY",
    503,
  );
  assert.match(message, /"kafka":false/);
});

Deno.test("createEdgeApp() refuses a valid upgrade with 503 TOO_MANY_CONNECTIONS at the edge's limit", async () => {
  const edge = await edgeUnderTest();
  edge.holdConnections(2);
  await expectRefused(
    edge,
    { headers: upgradeHeaders(), query: `?token=${await tokenFor("p")}` },
    "TOO_MANY_CONNECTIONS",
    503,
  );
});

Deno.test("createEdgeApp() refuses a player's upgrade with 429 TOO_MANY_PLAYER_CONNECTIONS at the per-player limit", async () => {
  const edge = await edgeUnderTest();
  edge.holdConnections(1, "busy");
  const message = await expectRefused(
    edge,
    { headers: upgradeHeaders(), query: `?token=${await tokenFor("busy")}` },
    "TOO_MANY_PLAYER_CONNECTIONS",
    429,
  );
  assert.match(message, /at most 1 connections per player/);
});

Deno.test("createEdgeApp() upgrades a request that passes every check and counts it against both limits", async () => {
  const edge = await edgeUnderTest({ handshakeTimeoutMs: 10 });
  const query = `?token=${await tokenFor("newcomer")}`;
  // Deno answers an upgrade of a request that came from no server with 101 and a socket that never opens.
  const accepted = await edge.app.request(`/v1/ingest${query}`, { headers: upgradeHeaders() });
  assert.equal(accepted.status, 101);
  assert.equal(edge.connections.size, 1);
  assert.equal(edge.connections.connectionsOf("newcomer"), 1);
  await expectRefused(edge, { headers: upgradeHeaders(), query }, "TOO_MANY_PLAYER_CONNECTIONS", 429);
  const [socket] = edge.connections.sockets();
  await eventually(
    "the socket that never opened is closed after the handshake timeout and forgotten",
    () =>
      (socket!.readyState === WebSocket.CLOSING || socket!.readyState === WebSocket.CLOSED) &&
      edge.connections.size === 0,
  );
  assert.equal(edge.connections.connectionsOf("newcomer"), 0, "the player's slot is free again");
});

Deno.test("createEdgeApp() checks upgrade, origin, token, readiness, then limits, in that order", async () => {
  const edge = await edgeUnderTest();
  edge.readiness.set("routes", false);
  edge.holdConnections(1, "busy");
  edge.holdConnections(1, "other");
  const busy = `?token=${await tokenFor("busy")}`;
  const badOrigin = { origin: "https://evil.example" };
  await expectRefused(edge, { headers: badOrigin, query: "?token=bad" }, "UPGRADE_REQUIRED", 426);
  await expectRefused(edge, { headers: upgradeHeaders(badOrigin), query: "?token=bad" }, "ORIGIN_NOT_ALLOWED", 403);
  await expectRefused(edge, { headers: upgradeHeaders(), query: "?token=bad" }, "UNAUTHORIZED", 401);
  await expectRefused(edge, { headers: upgradeHeaders(), query: busy }, "NOT_READY", 503);
  edge.readiness.set("routes", true);
  await expectRefused(edge, { headers: upgradeHeaders(), query: busy }, "TOO_MANY_CONNECTIONS", 503);
  edge.releaseConnections("other");
  await expectRefused(edge, { headers: upgradeHeaders(), query: busy }, "TOO_MANY_PLAYER_CONNECTIONS", 429);
});

Deno.test("createEdgeApp() logs each refused upgrade with its code, and the player once the token is known", async () => {
  const edge = await edgeUnderTest();
  edge.readiness.set("kafka", false);
  await expectRefused(edge, {}, "UPGRADE_REQUIRED", 426);
  await expectRefused(edge, { headers: upgradeHeaders(), query: `?token=${await tokenFor("p-7")}` }, "NOT_READY", 503);
  const refused = edge.logs.filter((line) => line.msg === "upgrade refused");
  assert.deepEqual(refused.map((line) => [line.level, line.fields?.code, line.fields?.player]), [
    ["warn", "UPGRADE_REQUIRED", undefined],
    ["warn", "NOT_READY", "p-7"],
  ]);
});

Deno.test("createEdgeApp() serves /healthz always and /readyz only when ready", async () => {
  const edge = await edgeUnderTest();
  assert.equal((await edge.app.request("/healthz")).status, 200);
  assert.equal((await edge.app.request("/readyz")).status, 200);
  edge.readiness.set("kafka", false);
  assert.equal((await edge.app.request("/healthz")).status, 200);
  const readyz = await edge.app.request("/readyz");
  assert.equal(readyz.status, 503);
  assert.deepEqual(await readyz.json(), { status: "not ready", checks: { kafka: false, routes: true } });
});

Deno.test("createEdgeApp() serves nothing else: the control endpoints live on the admin port", async () => {
  const edge = await edgeUnderTest();
  assert.equal((await edge.app.request("/v1/routes", { method: "POST", body: "{}" })).status, 404);
  assert.equal((await edge.app.request("/dashboard")).status, 404);
});

Deno.test("createEdgeApp() refuses a token in Sec-WebSocket-Protocol without veltrix.v1 offered (401), and checks one with it", async () => {
  const edge = await edgeUnderTest();
  const token = await tokenFor("p");
  const alone = upgradeHeaders({ "sec-websocket-protocol": `veltrix.bearer.${token}` });
  assert.match(await expectRefused(edge, { headers: alone }, "UNAUTHORIZED", 401), /veltrix\.v1/);
  const forged = upgradeHeaders({ "sec-websocket-protocol": `veltrix.v1, veltrix.bearer.${token}x` });
  await expectRefused(edge, { headers: forged }, "UNAUTHORIZED", 401);
  const expired = await tokenFor("p", { exp: Math.floor(Date.now() / 1000) - 3600 });
  await expectRefused(
    edge,
    { headers: upgradeHeaders({ "sec-websocket-protocol": `veltrix.v1, veltrix.bearer.${expired}` }) },
    "UNAUTHORIZED",
    401,
  );
});
