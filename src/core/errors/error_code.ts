/**
 * Every error Veltrix reports carries one of these stable codes. This file is the one place that
 * says what each code means on the wire: its HTTP status, its Connect / gRPC code, its WebSocket
 * close code (where a code ends a connection) and whether a client may retry the same event. The
 * surfaces read it through the pure mappings at the end ({@link httpStatusOf}, {@link rpcCodeOf},
 * {@link closeFrameOf}); each surface has one function that turns a VeltrixError into its answer
 * (`core/errors/error_response.ts` for HTTP, `control/connect_error.ts` for RPCs).
 *
 * @module
 */

/** Connect / gRPC status code names (https://connectrpc.com/docs/protocol#error-codes). */
export type RpcCode =
  | "invalid_argument"
  | "failed_precondition"
  | "resource_exhausted"
  | "unavailable"
  | "unauthenticated"
  | "internal";

/** How an error code shows on each surface. */
export interface ErrorCodeSpec {
  /** HTTP status when the code answers a request. */
  readonly http: number;
  /** Connect / gRPC status code name when the code answers an RPC. */
  readonly rpc: RpcCode;
  /** Whether resending the same event later can succeed. */
  readonly retryable: boolean;
  /** WebSocket close code when the error ends a connection, if it does. */
  readonly close?: number;
  /** One line for the docs: what triggers it. */
  readonly summary: string;
}

const table = {
  INVALID_FRAME: {
    http: 400,
    rpc: "invalid_argument",
    retryable: false,
    summary: "The frame is not a JSON or protobuf ClientFrame the edge can read.",
  },
  INVALID_EVENT: {
    http: 400,
    rpc: "invalid_argument",
    retryable: false,
    summary: "An event has a bad id or type; the other events of the frame go on.",
  },
  NO_ROUTE: {
    http: 422,
    rpc: "failed_precondition",
    retryable: false,
    summary: "No route matches the event type and the map has no dead-letter topic.",
  },
  SCHEMA_VIOLATION: {
    http: 422,
    rpc: "invalid_argument",
    retryable: false,
    summary:
      "An event's data does not match its type's payload schema and its route says REJECT; the message names the failing JSON pointer and keyword.",
  },
  OVERLOADED: {
    http: 503,
    rpc: "resource_exhausted",
    retryable: true,
    summary: "The edge holds as many unacknowledged events as it may; resend after the hint.",
  },
  KAFKA_WRITE_FAILED: {
    http: 503,
    rpc: "unavailable",
    retryable: true,
    summary: "Kafka did not acknowledge the write; the event was not acked, resend it.",
  },
  SHUTTING_DOWN: {
    http: 503,
    rpc: "unavailable",
    retryable: true,
    close: 1001,
    summary: "The edge is stopping; reconnect (to another edge) and resend unacked events.",
  },
  UNAUTHORIZED: {
    http: 401,
    rpc: "unauthenticated",
    retryable: false,
    close: 4003,
    summary:
      "The token is missing, malformed, wrongly signed, expired, from an issuer not trusted or has no subject; an in-band refresh that does not verify or names another player closes the connection (4003).",
  },
  TOKEN_EXPIRED: {
    http: 401,
    rpc: "unauthenticated",
    retryable: true,
    close: 4001,
    summary:
      "The connection's token reached its `exp` (plus `VELTRIX_JWT_CLOCK_SKEW_S`) with no in-band refresh; the edge closes it (4001). Reconnect with a fresh token and resend unacked events.",
  },
  NOT_READY: {
    http: 503,
    rpc: "unavailable",
    retryable: true,
    summary: "The edge has no Kafka connection or no route table yet; try again shortly.",
  },
  UPGRADE_REQUIRED: {
    http: 426,
    rpc: "invalid_argument",
    retryable: false,
    summary: "The ingest endpoint only speaks WebSocket.",
  },
  FRAME_TOO_LARGE: {
    http: 413,
    rpc: "resource_exhausted",
    retryable: false,
    close: 1009,
    summary: "A frame is larger than VELTRIX_MAX_FRAME_BYTES; the edge closes the connection (1009).",
  },
  TOO_MANY_EVENTS: {
    http: 400,
    rpc: "invalid_argument",
    retryable: false,
    summary: "A frame holds more than VELTRIX_MAX_EVENTS_PER_FRAME events; none of them is taken. Send smaller frames.",
  },
  EVENT_TOO_LARGE: {
    http: 413,
    rpc: "invalid_argument",
    retryable: false,
    summary: "One event, as routed, is larger than VELTRIX_MAX_EVENT_BYTES; the others of the frame go on.",
  },
  DATA_TOO_DEEP: {
    http: 400,
    rpc: "invalid_argument",
    retryable: false,
    summary: "An event's data nests arrays and objects deeper than VELTRIX_MAX_DATA_DEPTH.",
  },
  RATE_LIMITED: {
    http: 429,
    rpc: "resource_exhausted",
    retryable: true,
    close: 1008,
    summary:
      "The connection or the player sends faster than its rate limit; resend after the hint. A client that keeps on is closed (1008).",
  },
  TOO_MANY_CONNECTIONS: {
    http: 503,
    rpc: "unavailable",
    retryable: true,
    summary: "The edge holds VELTRIX_MAX_CONNECTIONS connections; try again later or another edge.",
  },
  TOO_MANY_PLAYER_CONNECTIONS: {
    http: 429,
    rpc: "resource_exhausted",
    retryable: true,
    summary:
      "The player already has VELTRIX_MAX_CONNECTIONS_PER_PLAYER connections open on this edge; close one first.",
  },
  ORIGIN_NOT_ALLOWED: {
    http: 403,
    rpc: "unauthenticated",
    retryable: false,
    summary: "A browser upgrade came from an Origin not in VELTRIX_ALLOWED_ORIGINS.",
  },
  IDLE_TIMEOUT: {
    http: 408,
    rpc: "unavailable",
    retryable: true,
    close: 1000,
    summary:
      "A connection sent nothing for VELTRIX_IDLE_TIMEOUT_MS (or never opened within the handshake timeout); reconnect when there is something to send.",
  },
  INVALID_ROUTE_MAP: {
    http: 422,
    rpc: "invalid_argument",
    retryable: false,
    summary: "A route map failed validation; every problem is listed.",
  },
  ROUTE_UPDATE_TOO_LARGE: {
    http: 413,
    rpc: "resource_exhausted",
    retryable: false,
    summary: "A signed route map is larger than the update size cap.",
  },
  MALFORMED_ROUTE_UPDATE: {
    http: 400,
    rpc: "invalid_argument",
    retryable: false,
    summary: "A route update body is not a SignedRouteMap holding a RouteMap.",
  },
  UNKNOWN_SIGNING_KEY: {
    http: 401,
    rpc: "unauthenticated",
    retryable: false,
    summary: "A route map is signed with a key id that is not in VELTRIX_TRUSTED_KEYS.",
  },
  BAD_SIGNATURE: {
    http: 401,
    rpc: "unauthenticated",
    retryable: false,
    summary: "A route map's Ed25519 signature does not verify against its key.",
  },
  STALE_ROUTE_MAP: {
    http: 409,
    rpc: "failed_precondition",
    retryable: false,
    summary: "A route map's version is not greater than the one in force (a replay or a rollback).",
  },
  ROUTE_TOPICS_UNAVAILABLE: {
    http: 503,
    rpc: "unavailable",
    retryable: true,
    summary: "The topics of a new route map could not be created or confirmed in Kafka; nothing changed.",
  },
  REPLICATION_FACTOR_UNMET: {
    http: 500,
    rpc: "failed_precondition",
    retryable: false,
    summary:
      "Kafka has fewer available brokers than the replication factor of a topic the edge must create (VELTRIX_TOPIC_REPLICATION_FACTOR, or the cluster's `default.replication.factor` when it is -1): the edge refuses to start rather than write to a topic with fewer copies.",
  },
  KAFKA_AUTH_FAILED: {
    http: 500,
    rpc: "failed_precondition",
    retryable: false,
    summary:
      "Kafka refused the edge's credentials at start (a wrong SASL user or password, a mechanism the broker does not offer, an OAUTHBEARER token it rejects), or the token command or file failed: the edge exits rather than retry. Later, while running, the same cause shows as not ready and writes are retried.",
  },
  KAFKA_TLS_FAILED: {
    http: 500,
    rpc: "failed_precondition",
    retryable: false,
    summary:
      "The TLS handshake with Kafka failed at start: a broker certificate signed by a CA not in KAFKA_SSL_CA_FILE, expired, or naming another host than the broker (or KAFKA_SSL_SERVER_NAME), or a client certificate the broker refuses: the edge exits rather than retry.",
  },
  INVALID_RECORD: {
    http: 400,
    rpc: "invalid_argument",
    retryable: false,
    summary:
      "(Consumer library) A Kafka record is not a Veltrix RoutedEvent: no or unknown content-type, or a value that does not decode.",
  },
  INVALID_CONFIG: {
    http: 500,
    rpc: "internal",
    retryable: false,
    summary: "An environment variable has a value the edge cannot use.",
  },
  INTERNAL: {
    http: 500,
    rpc: "internal",
    retryable: true,
    summary: "An unexpected failure inside the edge.",
  },
} as const satisfies Record<string, ErrorCodeSpec>;

/** A stable error code. */
export type ErrorCode = keyof typeof table;

/** The wire behaviour of every error code, keyed by code. */
export const errorCodes: Readonly<Record<ErrorCode, ErrorCodeSpec>> = Object.freeze(table);

/** True when `value` is one of the known error codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(table, value);
}

/** The codes that end a WebSocket connection: those with a `close` code in the table. */
export type ClosingErrorCode = {
  [K in ErrorCode]: (typeof table)[K] extends { readonly close: number } ? K : never;
}[ErrorCode];

/** The HTTP status that answers a request refused with `code`. */
export function httpStatusOf(code: ErrorCode): number {
  return table[code].http;
}

/** The Connect / gRPC status code name that answers an RPC refused with `code`. */
export function rpcCodeOf(code: ErrorCode): RpcCode {
  return table[code].rpc;
}

/**
 * The close frame that ends a WebSocket connection for `code`: the table's close code, and the
 * error code as the reason.
 *
 * @example
 * ```ts
 * import { closeFrameOf } from "./error_code.ts";
 * const { code, reason } = closeFrameOf("FRAME_TOO_LARGE"); // 1009, "FRAME_TOO_LARGE"
 * ```
 */
export function closeFrameOf(code: ClosingErrorCode): { readonly code: number; readonly reason: ClosingErrorCode } {
  return { code: table[code].close, reason: code };
}
