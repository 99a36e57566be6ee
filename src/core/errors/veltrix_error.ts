import { type ErrorCode, errorCodes, httpStatusOf } from "./error_code.ts";

/**
 * The one error type of Veltrix: a stable {@link ErrorCode}, a message for people, and the cause
 * that led to it.
 */
export class VeltrixError extends Error {
  override readonly name = "VeltrixError";

  constructor(
    /** The stable code clients and operators can act on. */
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** HTTP status for this error, from the code table. */
  get httpStatus(): number {
    return httpStatusOf(this.code);
  }

  /** Whether the client may resend the event later. */
  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }

  /**
   * Normalise anything caught into a VeltrixError: a VeltrixError stays itself, anything else
   * becomes `fallback` with the original kept as the cause.
   */
  static from(reason: unknown, fallback: ErrorCode = "INTERNAL"): VeltrixError {
    if (reason instanceof VeltrixError) return reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    return new VeltrixError(fallback, message, { cause: reason });
  }
}
