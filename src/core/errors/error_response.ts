/**
 * The HTTP surface's one error translator: every refusal an HTTP handler answers goes through
 * {@link errorResponse}, so every error body has one shape and every status comes from the code
 * table. Web-standard (`Response`), so the edge's and the control plane's Hono apps share it.
 *
 * @module
 */
import { httpStatusOf } from "./error_code.ts";
import { VeltrixError } from "./veltrix_error.ts";

/**
 * Answers with a VeltrixError (anything else becomes INTERNAL) as `{"error":{"code","message"}}`,
 * with `details` beside `error` when given, and the code's HTTP status.
 *
 * @param details more fields of the body, for example a refused route update's `currentVersion`
 * and `problems`.
 */
export function errorResponse(reason: unknown, details: Readonly<Record<string, unknown>> = {}): Response {
  const error = VeltrixError.from(reason);
  return Response.json(
    { error: { code: error.code, message: error.message }, ...details },
    { status: httpStatusOf(error.code) },
  );
}
