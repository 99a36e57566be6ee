/**
 * The RPC surface's one error translator: every refusal the control service (Connect, gRPC-Web
 * and gRPC) answers goes through {@link toConnectError}.
 *
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { type RpcCode, rpcCodeOf } from "../core/errors/error_code.ts";
import { formatRouteMapProblems, type RouteMapProblem } from "../core/route_map/route_map_problem.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";

const connectCodes: Readonly<Record<RpcCode, Code>> = {
  invalid_argument: Code.InvalidArgument,
  failed_precondition: Code.FailedPrecondition,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  unauthenticated: Code.Unauthenticated,
  internal: Code.Internal,
};

/** What a refused route update adds to its error. */
export interface RefusalDetails {
  /** Every problem of an invalid map, appended to the message. */
  readonly problems?: readonly RouteMapProblem[];
  /** The version in force, sent as `veltrix-current-version` metadata. */
  readonly currentVersion?: bigint;
}

/**
 * The ConnectError for a VeltrixError (anything else becomes INTERNAL): the code's Connect status,
 * the message `CODE: message` (then `: ` and the problems, unless the message lists them), and the code as
 * `veltrix-error-code` metadata.
 */
export function toConnectError(reason: unknown, details: RefusalDetails = {}): ConnectError {
  const error = VeltrixError.from(reason);
  const listed = details.problems ? formatRouteMapProblems(details.problems) : "";
  // An invalid map's message already lists its problems (core formats them the same way): say them once.
  const problems = listed === "" || error.message.includes(listed) ? "" : `: ${listed}`;
  const metadata: Record<string, string> = { "veltrix-error-code": error.code };
  if (details.currentVersion !== undefined) metadata["veltrix-current-version"] = details.currentVersion.toString();
  return new ConnectError(
    `${error.code}: ${error.message}${problems}`,
    connectCodes[rpcCodeOf(error.code)],
    metadata,
    [],
    error,
  );
}
