import type { MiddlewareHandler } from "hono";
import { opsReadRefusal } from "../../core/ops/ops_read.ts";
import { errorResponse } from "../../core/errors/error_response.ts";

/**
 * Hono middleware for the admin port: every ops read (see core's `isOpsRead`: GET but `/healthz`
 * and `/readyz`, and the read-only RPCs) needs `Authorization: Bearer <token>`, or is answered 401
 * UNAUTHORIZED. Route updates need none: their signatures authenticate them.
 */
export function opsTokenMiddleware(token: string): MiddlewareHandler {
  return async (c, next) => {
    const refusal = opsReadRefusal(c.req.method, c.req.path, c.req.header("authorization"), token);
    if (refusal !== undefined) return errorResponse(refusal);
    await next();
  };
}
