import { Hono } from "hono";
import { VeltrixError } from "../core/veltrix_error.ts";
import { errorResponse } from "./error_response.ts";
import { mountHealthRoutes } from "./health_routes.ts";
import { IngestConnection, type IngestContext } from "./ingest_connection.ts";
import type { Logger } from "./log.ts";
import type { PlayerConnections } from "./player_connections.ts";
import { type PlayerTokenVerifier, tokenFromRequest } from "./player_token.ts";
import type { Readiness } from "./readiness.ts";
import { upgradeToWebSocket } from "./websocket_upgrade.ts";

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
}

/**
 * The client-facing Hono app: `GET /v1/ingest` checks origin, token and connection limits, then
 * upgrades to a WebSocket; `/healthz` and `/readyz` report on the process.
 */
export function createEdgeApp(options: EdgeAppOptions): Hono {
  const { tokens, readiness, ingest, connections, players, limits, logger } = options;
  const app = new Hono();
  mountHealthRoutes(app, readiness);

  app.get("/v1/ingest", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(c, new VeltrixError("UPGRADE_REQUIRED", "GET /v1/ingest must be a WebSocket upgrade"));
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) {
      return errorResponse(c, new VeltrixError("ORIGIN_NOT_ALLOWED", `origin ${origin} may not connect`));
    }
    let player: string;
    try {
      player = await tokens.verify(tokenFromRequest(new URL(c.req.url), c.req.header("authorization")));
    } catch (error) {
      return errorResponse(c, error);
    }
    if (!readiness.ready) {
      return errorResponse(
        c,
        new VeltrixError("NOT_READY", "the edge is not ready: " + JSON.stringify(readiness.snapshot())),
      );
    }
    if (connections.size >= limits.maxConnections) {
      return errorResponse(c, new VeltrixError("TOO_MANY_CONNECTIONS", "the edge holds as many connections as it may"));
    }
    if (players.count(player) >= limits.maxConnectionsPerPlayer) {
      return errorResponse(
        c,
        new VeltrixError(
          "TOO_MANY_PLAYER_CONNECTIONS",
          `at most ${limits.maxConnectionsPerPlayer} connections per player`,
        ),
      );
    }
    return upgradeToWebSocket(c.req.raw, (socket) => {
      const connection = new IngestConnection(socket, player, ingest, players.open(player, Date.now()));
      connections.set(socket, connection);
      const handshake = setTimeout(() => {
        if (socket.readyState === WebSocket.CONNECTING) socket.close(1000, "IDLE_TIMEOUT");
      }, limits.handshakeTimeoutMs);
      socket.addEventListener("open", () => clearTimeout(handshake), { once: true });
      logger.debug("client connected", { player });
      return {
        onMessage: (data) => connection.receive(data),
        onClose: (code) => {
          clearTimeout(handshake);
          if (connections.delete(socket)) players.close(player);
          logger.debug("client disconnected", { player, code });
        },
      };
    });
  });

  app.onError((error, c) => {
    logger.error("request failed", { path: c.req.path, error });
    return errorResponse(c, error);
  });
  return app;
}
