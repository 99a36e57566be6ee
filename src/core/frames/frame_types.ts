/**
 * The types a client frame decodes into and a server frame encodes from, shared by the JSON and
 * binary codecs.
 *
 * @module
 */
import type { ErrorCode } from "../errors/error_code.ts";

/** Why one event was not accepted. */
export interface EventReject {
  /** The event's id as sent, or "" when it had no usable id. */
  readonly id: string;
  readonly code: ErrorCode;
  readonly message: string;
  /** When set, the client may resend after this many milliseconds. */
  readonly retryAfterMs?: number;
}

/** What the edge tells a client in one reply frame. */
export interface ServerReply {
  readonly acks?: readonly string[];
  readonly rejects?: readonly EventReject[];
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  /** The answer to an in-band refresh the edge took: the new token's `exp`, in unix seconds. */
  readonly session?: { readonly expiresAt: number };
}
