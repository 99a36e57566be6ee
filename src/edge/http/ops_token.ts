import type { MiddlewareHandler } from "hono";
import { bearerMatches } from "../../core/bearer_token.ts";
import { VeltrixError } from "../../core/veltrix_error.ts";
import { errorResponse } from "./error_response.ts";

/** Connect procedures that only read: they need the ops token like any other admin read. */
const READ_PROCEDURES = [
  "/veltrix.control.v1.ControlService/GetRouteMap",
  "/veltrix.control.v1.ControlService/WatchRouteMap",
];

/**
 * Hono middleware for the admin port: every read (GET, and the read-only RPCs) but `/healthz` and
 * `/readyz` needs the ops token. Route updates need none: their signatures authenticate them.
 */
export function requireOpsTokenForReads(token: string): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    const read = (c.req.method === "GET" && path !== "/healthz" && path !== "/readyz") ||
      READ_PROCEDURES.includes(path);
    if (read && !bearerMatches(c.req.header("authorization"), token)) {
      return errorResponse(
        c,
        new VeltrixError("UNAUTHORIZED", "this admin read needs Authorization: Bearer <VELTRIX_OPS_TOKEN>"),
      );
    }
    await next();
  };
}
