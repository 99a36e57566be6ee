/**
 * Which admin requests are reads, and so need the ops token when one is set. The Hono middleware
 * of the admin port and the interceptor of the plain-gRPC port both ask {@link opsReadRefusal}.
 *
 * @module
 */
import { ControlService } from "../../gen/veltrix/control/v1/control_pb.ts";
import { bearerMatches } from "./bearer_token.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

/** Paths a load balancer or supervisor probes without credentials. */
const PROBE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz"]);

/** The read-only RPCs, as HTTP paths (`/package.Service/Method`): Connect, gRPC-Web and gRPC all use them. */
const READ_PROCEDURES: ReadonlySet<string> = new Set(
  [ControlService.method.getRouteMap, ControlService.method.watchRouteMap].map((method) =>
    `/${method.parent.typeName}/${method.name}`
  ),
);

/**
 * True when a request to the admin port only reads: a GET (or HEAD, which Hono answers with the
 * GET handler) of anything but `/healthz` and `/readyz`, or a read-only RPC (GetRouteMap,
 * WatchRouteMap) by any method. Route updates are not reads: their signatures authenticate them.
 *
 * @param method the HTTP method, upper case
 * @param path the URL path; for an RPC, `/veltrix.control.v1.ControlService/<Method>`
 */
export function isOpsRead(method: string, path: string): boolean {
  if (READ_PROCEDURES.has(path)) return true;
  return (method === "GET" || method === "HEAD") && !PROBE_PATHS.has(path);
}

/**
 * Why a request may not go on: UNAUTHORIZED when it is an ops read ({@link isOpsRead}) whose
 * `authorization` is not `Bearer <opsToken>`; undefined when it may.
 */
export function opsReadRefusal(
  method: string,
  path: string,
  authorization: string | null | undefined,
  opsToken: string,
): VeltrixError | undefined {
  if (!isOpsRead(method, path) || bearerMatches(authorization, opsToken)) return undefined;
  return new VeltrixError("UNAUTHORIZED", "this admin read needs Authorization: Bearer <VELTRIX_OPS_TOKEN>");
}
