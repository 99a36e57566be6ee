import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type ConnectRouter, createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import type { Hono } from "hono";
import { ControlService, WatchRouteMapResponseSchema } from "../gen/veltrix/control/v1/control_pb.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import type { AppliedRouteMap } from "../core/route_map/live_route_table.ts";
import { toConnectError } from "./connect_error.ts";
import type { RouteControl } from "./route_control.ts";

/** Registers `veltrix.control.v1.ControlService`, backed by `control`, on a Connect router. */
export function registerControlService(router: ConnectRouter, control: RouteControl): ConnectRouter {
  return router.service(ControlService, {
    async updateRouteMap(request) {
      if (request.signedRouteMap === undefined) {
        throw toConnectError(new VeltrixError("MALFORMED_ROUTE_UPDATE", "signed_route_map is required"));
      }
      const outcome = await control.update({
        signed: request.signedRouteMap,
        size: request.signedRouteMap.routeMap.byteLength,
      });
      if (!outcome.ok) throw toConnectError(outcome.error, outcome);
      return {
        version: outcome.applied.version,
        routes: outcome.applied.routeCount,
        applyMs: outcome.applied.applyMs,
      };
    },
    getRouteMap() {
      const current = control.current;
      return {
        routeMap: control.routeMap,
        keyId: current.keyId,
        appliedAt: timestampFromDate(current.appliedAt),
        source: current.source,
      };
    },
    async *watchRouteMap(_request, context) {
      const queue: AppliedRouteMap[] = [control.current];
      let wake: (() => void) | undefined;
      const stop = control.onApplied((applied) => {
        queue.push(applied);
        wake?.();
      });
      const aborted = new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve()));
      try {
        while (!context.signal.aborted) {
          const next = queue.shift();
          if (next !== undefined) {
            yield create(WatchRouteMapResponseSchema, {
              version: next.version,
              keyId: next.keyId,
              appliedAt: timestampFromDate(next.appliedAt),
              routes: next.routeCount,
              source: next.source,
            });
            continue;
          }
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = undefined;
        }
      } finally {
        stop();
      }
    },
  });
}

/**
 * Serves the Connect service from the admin Hono app, for the Connect and gRPC-Web protocols
 * (plain gRPC needs HTTP/2 trailers, which fetch handlers cannot send: see `grpc_server.ts`).
 */
export function mountControlService(app: Hono, control: RouteControl): void {
  const router = registerControlService(createConnectRouter({ grpc: false }), control);
  for (const handler of router.handlers) {
    const fetchHandler = createFetchHandler(handler);
    app.on(handler.allowedMethods, handler.requestPath, (c) => fetchHandler(c.req.raw));
  }
}
