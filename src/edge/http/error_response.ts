/**
 * The HTTP surface's one error translator: every refusal a Hono app answers goes through
 * {@link errorResponse}, so every error body has one shape and every status comes from the code
 * table.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { httpStatusOf } from "../../core/error_code.ts";
import { VeltrixError } from "../../core/veltrix_error.ts";

/**
 * Answers a request with a VeltrixError (anything else becomes INTERNAL) as
 * `{"error":{"code","message"}}`, with `details` beside `error` when given, and the code's HTTP status.
 *
 * @param details more fields of the body, for example a refused route update's `currentVersion`
 * and `problems`.
 */
export function errorResponse(c: Context, reason: unknown, details: Readonly<Record<string, unknown>> = {}): Response {
  const error = VeltrixError.from(reason);
  return c.json(
    { error: { code: error.code, message: error.message }, ...details },
    httpStatusOf(error.code) as ContentfulStatusCode,
  );
}
