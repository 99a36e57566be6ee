import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { VeltrixError } from "../../core/veltrix_error.ts";

/** Answers a request with a VeltrixError as `{"error":{"code","message"}}` and the code's HTTP status. */
export function errorResponse(c: Context, reason: unknown): Response {
  const error = VeltrixError.from(reason);
  return c.json({ error: { code: error.code, message: error.message } }, error.httpStatus as ContentfulStatusCode);
}
