/**
 * The rejects the edge gives of itself (not a route's or a quota's), and the keys their log lines
 * are rate-limited by.
 * @module
 */
import { DEFAULT_RETRY_AFTER_MS } from "../../core/admission/admission.ts";
import type { EventReject } from "../../core/frames/frame_types.ts";
import { errorCodes } from "../../core/errors/error_code.ts";

/** Rate-limit keys of reject log lines, one per code, made once so that a reject allocates none. */
const REJECT_LOG_KEYS: ReadonlyMap<string, string> = new Map(
  Object.keys(errorCodes).map((code) => [code, `reject:${code}`]),
);

/** The key the log lines of rejects of `code` are rate-limited by (`reject:<code>`), allocating nothing. */
export function rejectLogKey(code: string): string {
  return REJECT_LOG_KEYS.get(code) ?? "reject:other";
}

/** The reject of event `id` when the edge holds as many unacknowledged events as it may (its batcher is full). */
export function overloaded(id: string): EventReject {
  return {
    id,
    code: "OVERLOADED",
    message: "the edge is holding as many unacknowledged events as it may",
    retryAfterMs: DEFAULT_RETRY_AFTER_MS,
  };
}

/** The reject of event `id` that comes while the edge is shutting down: resend it to another edge. */
export function shuttingDown(id: string): EventReject {
  return {
    id,
    code: "SHUTTING_DOWN",
    message: "the edge is shutting down; resend to another edge",
    retryAfterMs: DEFAULT_RETRY_AFTER_MS,
  };
}
