import { RETRYABLE_EDGE_CODES } from "./protocol_rules.ts";

/**
 * Codes the client itself reports, beside the edge's codes (INVALID_EVENT, NO_ROUTE, OVERLOADED,
 * ...; see docs/errors.md):
 *
 * - `OUTBOX_FULL`: `send()` found `maxOutbox` events unacked; nothing was sent. Retryable.
 * - `CLOSED`: the client is closing or closed; the event was not acked. Retryable (resend the
 *   entry `close()` returned, same id).
 * - `STORE_FAILED`: the outbox store threw; reported through the `"error"` event.
 * - `CONNECT_FAILED`: a connection could not be opened, or was lost; reported through `"error"`.
 * - `TOKEN_FAILED`: the token function threw; reported through `"error"`.
 * - `INVALID_REPLY`: the edge sent a frame the client cannot read; reported through `"error"`.
 */
export type ClientErrorCode =
  | "OUTBOX_FULL"
  | "CLOSED"
  | "STORE_FAILED"
  | "CONNECT_FAILED"
  | "TOKEN_FAILED"
  | "INVALID_REPLY";

const CLIENT_CODES_RETRYABLE: Readonly<Record<ClientErrorCode, boolean>> = {
  OUTBOX_FULL: true,
  CLOSED: true,
  STORE_FAILED: false,
  CONNECT_FAILED: true,
  TOKEN_FAILED: true,
  INVALID_REPLY: false,
};

/**
 * Whether resending the same event (same id) later can succeed after an error with `code`. The
 * edge's codes follow its code table (docs/errors.md); a code this client does not know is
 * permanent.
 *
 * @example
 * ```ts
 * import { isRetryableCode } from "./veltrix_client_error.ts";
 *
 * isRetryableCode("OVERLOADED"); // true
 * isRetryableCode("INVALID_EVENT"); // false
 * ```
 */
export function isRetryableCode(code: string): boolean {
  if (Object.hasOwn(CLIENT_CODES_RETRYABLE, code)) return CLIENT_CODES_RETRYABLE[code as ClientErrorCode];
  return RETRYABLE_EDGE_CODES.has(code);
}

/**
 * Why an event was not acked, or what went wrong on the connection: a stable `code` (an edge
 * code or a {@link ClientErrorCode}), the event `id` when one event is concerned, and whether
 * resending that event later can succeed.
 *
 * @example
 * ```ts
 * import { VeltrixClientError } from "./veltrix_client_error.ts";
 *
 * const error = new VeltrixClientError("NO_ROUTE", "no route matches", { id: "e-1" });
 * error.retryable; // false
 * ```
 */
export class VeltrixClientError extends Error {
  /** Always `"VeltrixClientError"`. */
  override readonly name = "VeltrixClientError";
  /** The stable code to act on. */
  readonly code: string;
  /** The event concerned, if one is. */
  readonly id?: string;
  /** Whether resending the same event (same id) later can succeed. */
  readonly retryable: boolean;
  /** The edge's retry hint, when it gave one. */
  readonly retryAfterMs?: number;

  /**
   * An error with `code` and `message`.
   *
   * @param code An edge code or a {@link ClientErrorCode}.
   * @param message For people.
   * @param options The event id, the retry hint, the cause; `retryable` defaults to what the code says.
   */
  constructor(
    code: string,
    message: string,
    options: { id?: string; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.id !== undefined) this.id = options.id;
    this.retryable = options.retryable ?? isRetryableCode(code);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The message of something caught: an Error's message, else the value as a string. */
export function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
