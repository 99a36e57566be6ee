import { type Context, Hono } from "hono";
import { closeFrameOf } from "../../core/errors/error_code.ts";
import { RateLimitedLog } from "../../core/ops/rate_limited_log.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { errorResponse } from "../../core/errors/error_response.ts";
import { mountHealthRoutes } from "./health_routes.ts";
import type { ConnectionRegistry } from "../ingest/connection_registry.ts";
import type { Logger } from "../../core/ops/logger.ts";
import { handshakeToken } from "./handshake_token.ts";
import type { PlayerTokenVerifier } from "./player_token.ts";
import type { PlayerClaims } from "../../core/route_map/canary_cohort.ts";
import type { Readiness } from "../../core/ops/readiness.ts";
import { upgradeToWebSocket } from "./websocket_upgrade.ts";

/** How a socket that never opened within the handshake timeout is closed. */
const idleClose = closeFrameOf("IDLE_TIMEOUT");

/** What the client-facing app needs. */
export interface EdgeAppOptions {
  readonly tokens: PlayerTokenVerifier;
  readonly readiness: Readiness;
  /** Open client connections: new ones are registered here, and refused when it is full. */
  readonly connections: ConnectionRegistry;
  readonly limits: {
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
 * upgrades to a WebSocket (answering the `veltrix.v1` subprotocol when offered, never the token);
 * `/healthz` and `/readyz` report on the process. A connection is closed with TOKEN_EXPIRED once
 * its token's `exp` plus the clock skew has passed, unless an in-band refresh moved it. No log
 * line holds the request's query string (where old clients put the token).
 */
export function createEdgeApp(options: EdgeAppOptions): Hono {
  const { tokens, readiness, connections, limits, logger } = options;
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
    return errorResponse(error);
  };

  app.get("/v1/ingest", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return refuse(c, new VeltrixError("UPGRADE_REQUIRED", "GET /v1/ingest must be a WebSocket upgrade"));
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) {
      return refuse(c, new VeltrixError("ORIGIN_NOT_ALLOWED", `origin ${origin} may not connect`));
    }
    const offered = handshakeToken(
      new URL(c.req.url),
      c.req.header("authorization"),
      c.req.header("sec-websocket-protocol"),
    );
    if (offered.bearerWithoutProtocol) {
      return refuse(
        c,
        new VeltrixError(
          "UNAUTHORIZED",
          "a token in Sec-WebSocket-Protocol needs veltrix.v1 offered too: veltrix.v1, veltrix.bearer.<jwt>",
        ),
      );
    }
    let player: string;
    let identity: string;
    let issuer: string | undefined;
    let closeAtMs: number;
    let tenant: string | undefined;
    let claims: PlayerClaims;
    try {
      const session = await tokens.verifySession(offered.token);
      player = session.player;
      identity = session.identity;
      issuer = session.issuer;
      tenant = session.tenant;
      closeAtMs = (session.expiresAt + tokens.clockSkewS) * 1000;
      claims = session.claims;
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
    const full = connections.refusal(identity, tenant);
    if (full !== undefined) return refuse(c, full, player);
    const remote = remoteAddress(c.env);
    return upgradeToWebSocket(c.req.raw, (socket) => {
      const connection = connections.open(socket, player, Date.now(), closeAtMs, claims, tenant, identity);
      const handshake = setTimeout(() => {
        if (socket.readyState !== WebSocket.CONNECTING) return;
        socket.close(idleClose.code, idleClose.reason);
        // A socket that never opened gets no close event: free its slot here.
        connections.closed(socket);
      }, limits.handshakeTimeoutMs);
      let openedAt: number | undefined;
      socket.addEventListener("open", () => {
        clearTimeout(handshake);
        openedAt = Date.now();
        log.info("connection.opened", "connection opened", {
          connection: connection.id,
          player,
          ...(issuer === undefined ? {} : { issuer }),
          remote,
          tokenFrom: offered.source,
        });
      }, { once: true });
      // The close event carries the reason too, which the upgrade helper's onClose does not.
      socket.addEventListener("close", (event) => {
        // A close the edge started may come back without its code (0): log the one it sent.
        const { code, reason } = event.code === 0 && connection.closedWith ? connection.closedWith : event;
        log.info("connection.closed", "connection closed", {
          connection: connection.id,
          player,
          code,
          reason,
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
          connections.closed(socket);
        },
      };
    }, offered.protocol === undefined ? {} : { protocol: offered.protocol });
  });

  app.onError((error, c) => {
    log.error("request.failed", "request failed", { path: c.req.path, error });
    return errorResponse(error);
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
