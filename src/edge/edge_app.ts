import { Hono } from "hono";
import { VeltrixError } from "../core/veltrix_error.ts";
import { errorResponse } from "./error_response.ts";
import { mountHealthRoutes } from "./health_routes.ts";
import { IngestConnection, type IngestContext } from "./ingest_connection.ts";
import type { Logger } from "./log.ts";
import { tokenFromRequest, verifyPlayerToken } from "./player_token.ts";
import type { Readiness } from "./readiness.ts";
import { upgradeToWebSocket } from "./websocket_upgrade.ts";

/** What the client-facing app needs. */
export interface EdgeAppOptions {
  readonly jwtSecret: string;
  readonly readiness: Readiness;
  readonly ingest: IngestContext;
  /** Open client sockets, kept so that shutdown can close them. */
  readonly sockets: Set<WebSocket>;
  readonly logger: Logger;
}

/**
 * The client-facing Hono app: `GET /v1/ingest` authenticates the player and upgrades to a
 * WebSocket; `/healthz` and `/readyz` report on the process.
 */
export function createEdgeApp(options: EdgeAppOptions): Hono {
  const { jwtSecret, readiness, ingest, sockets, logger } = options;
  const app = new Hono();
  mountHealthRoutes(app, readiness);

  app.get("/v1/ingest", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(c, new VeltrixError("UPGRADE_REQUIRED", "GET /v1/ingest must be a WebSocket upgrade"));
    }
    let player: string;
    try {
      player = await verifyPlayerToken(tokenFromRequest(new URL(c.req.url), c.req.header("authorization")), jwtSecret);
    } catch (error) {
      return errorResponse(c, error);
    }
    if (!readiness.ready) {
      return errorResponse(
        c,
        new VeltrixError("NOT_READY", "the edge is not ready: " + JSON.stringify(readiness.snapshot())),
      );
    }
    return upgradeToWebSocket(c.req.raw, (socket) => {
      const connection = new IngestConnection(socket, player, ingest);
      sockets.add(socket);
      logger.debug("client connected", { player });
      return {
        onMessage: (data) => connection.receive(data),
        onClose: (code) => {
          sockets.delete(socket);
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
