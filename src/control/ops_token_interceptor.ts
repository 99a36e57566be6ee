import type { Interceptor } from "@connectrpc/connect";
import { opsReadRefusal } from "../core/ops/ops_read.ts";
import { toConnectError } from "./connect_error.ts";

/**
 * Connect interceptor for the plain-gRPC port, the RPC twin of the admin port's
 * `opsTokenMiddleware`: the read-only RPCs (see core's `isOpsRead`) need
 * `authorization: Bearer <opsToken>`, or fail with Unauthenticated (UNAUTHORIZED).
 */
export function opsTokenInterceptor(opsToken: string): Interceptor {
  return (next) => (request) => {
    const path = `/${request.service.typeName}/${request.method.name}`;
    const refusal = opsReadRefusal(request.requestMethod, path, request.header.get("authorization"), opsToken);
    if (refusal !== undefined) throw toConnectError(refusal);
    return next(request);
  };
}
