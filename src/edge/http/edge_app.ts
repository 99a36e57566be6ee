import { type Context, Hono } from "hono";
import { closeFrameOf } from "../../core/error_code.ts";
import { RateLimitedLog } from "../../core/rate_limited_log.ts";
import { VeltrixError } from "../../core/veltrix_error.ts";
import { errorResponse } from "./error_response.ts";
import { mountHealthRoutes } from "./health_routes.ts";
import { IngestConnection, type IngestContext } from "../ingest/ingest_connection.ts";
import type { Logger } from "../../main/log.ts";
import type { PlayerConnections } from "../ingest/player_connections.ts";
import { type PlayerTokenVerifier, tokenFromRequest } from "./player_token.ts";
import type { Readiness } from "../readiness.ts";
import { upgradeToWebSocket } from "./websocket_upgrade.ts";

/** How a socket that never opened within the handshake timeout is closed. */
const idleClose = closeFrameOf("IDLE_TIMEOUT");

/** What the client-facing app needs. */
export interface EdgeAppOptions {
  readonly tokens: PlayerTokenVerifier;
  readonly readiness: Readiness;
  readonly ingest: IngestContext;
  /** Open client connections, kept so that shutdown and the idle sweep can close them. */
  readonly connections: Map<WebSocket, IngestConnection>;
  readonly players: PlayerConnections;
  readonly limits: {
    readonly maxConnections: number;
    readonly maxConnectionsPerPlayer: number;
    readonly handshakeTimeoutMs: number;
    /** Browser origins allowed to upgrade; empty allows any. */
    readonly allowedOrigins: readonly string[];
  };
  readonly logger: Logger;
  /**
   * Where connections opened and closed, refused upgrades and failed requests are logged, rate-limited
   * per kind. @default a RateLimitedLog of `logger` with its default limits
   */
  readonly log?: RateLimitedLog;
}

/**
 * The client-facing Hono app: `GET /v1/ingest` checks origin, token and connection limits, then
 * upgrades to a WebSocket; `/healthz` and `/readyz` report on the process.
 */
export function createEdgeApp(options: EdgeAppOptions): Hono {
  const { tokens, readiness, ingest, connections, players, limits, logger } = options;
  const log = options.log ?? new RateLimitedLog(logger);
  const app = new Hono();
  mountHealthRoutes(app, readiness);

  /** Answers a refused upgrade with its error, and logs it (rate-limited per code). */
  const refuse = (c: Context, reason: unknown, player?: string): Response => {
    const error = VeltrixError.from(reason);
    log.warn(`upgrade.refused:${error.code}`, "upgrade refused", {
      code: error.code,
      reason: error.message,
      remote: remoteAddress(c.env),
      ...(player === undefined ? {} : { player }),
    });
    return errorResponse(c, error);
  };

  app.get("/v1/ingest", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return refuse(c, new VeltrixError("UPGRADE_REQUIRED", "GET /v1/ingest must be a WebSocket upgrade"));
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) {
      return refuse(c, new VeltrixError("ORIGIN_NOT_ALLOWED", `origin ${origin} may not connect`));
    }
    let player: string;
    try {
      player = await tokens.verify(tokenFromRequest(new URL(c.req.url), c.req.header("authorization")));
    } catch (error) {
      return refuse(c, error);
    }
    if (!readiness.ready) {
      return refuse(
        c,
        new VeltrixError("NOT_READY", "the edge is not ready: " + JSON.stringify(readiness.snapshot())),
        player,
      );
    }
    if (connections.size >= limits.maxConnections) {
      return refuse(
        c,
        new VeltrixError("TOO_MANY_CONNECTIONS", "the edge holds as many connections as it may"),
        player,
      );
    }
    if (players.count(player) >= limits.maxConnectionsPerPlayer) {
      return refuse(
        c,
        new VeltrixError(
          "TOO_MANY_PLAYER_CONNECTIONS",
          `at most ${limits.maxConnectionsPerPlayer} connections per player`,
        ),
        player,
      );
    }
    const remote = remoteAddress(c.env);
    return upgradeToWebSocket(c.req.raw, (socket) => {
      const connection = new IngestConnection(socket, player, ingest, players.open(player, Date.now()));
      connections.set(socket, connection);
      const handshake = setTimeout(() => {
        if (socket.readyState === WebSocket.CONNECTING) socket.close(idleClose.code, idleClose.reason);
      }, limits.handshakeTimeoutMs);
      let openedAt: number | undefined;
      socket.addEventListener("open", () => {
        clearTimeout(handshake);
        openedAt = Date.now();
        log.info("connection.opened", "connection opened", { connection: connection.id, player, remote });
      }, { once: true });
      // The close event carries the reason too, which the upgrade helper's onClose does not.
      socket.addEventListener("close", (event) => {
        log.info("connection.closed", "connection closed", {
          connection: connection.id,
          player,
          code: event.code,
          reason: event.reason,
          durationMs: openedAt === undefined ? 0 : Date.now() - openedAt,
          opened: openedAt !== undefined,
          protocol: connection.protocol,
          frames: connection.frames,
          eventsAcked: connection.acked,
          eventsRejected: connection.rejected,
        });
      }, { once: true });
      return {
        onMessage: (data) => connection.receive(data),
        onClose: () => {
          clearTimeout(handshake);
          if (connections.delete(socket)) players.close(player);
        },
      };
    });
  });

  app.onError((error, c) => {
    log.error("request.failed", "request failed", { path: c.req.path, error });
    return errorResponse(c, error);
  });
  return app;
}

/**
 * The peer's `host:port`, from the `Deno.ServeHandlerInfo` that Hono passes as `c.env` under
 * `Deno.serve`; undefined when the app is called some other way (tests calling `fetch`).
 */
function remoteAddress(env: unknown): string | undefined {
  const addr = (env as { remoteAddr?: { hostname?: unknown; port?: unknown } } | undefined)?.remoteAddr;
  return typeof addr?.hostname === "string" ? `${addr.hostname}:${addr.port}` : undefined;
}
