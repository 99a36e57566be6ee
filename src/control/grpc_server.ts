import * as http2 from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { registerControlService } from "./control_service.ts";
import { opsTokenInterceptor } from "./ops_token_interceptor.ts";
import type { RouteControl } from "./route_control.ts";

/** A running plain-gRPC (h2c) listener for the control service. */
export interface GrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `veltrix.control.v1.ControlService` over cleartext HTTP/2 through `node:http2` and
 * Connect's Node adapter, which can send the HTTP/2 trailers plain gRPC needs. The same listener
 * also answers Connect and gRPC-Web over HTTP/2.
 */
export function startGrpcServer(
  control: RouteControl,
  hostname: string,
  port: number,
  opsToken?: string,
): Promise<GrpcServer> {
  const adapter = connectNodeAdapter({
    routes: (router) => void registerControlService(router, control),
    interceptors: opsToken === undefined ? [] : [opsTokenInterceptor(opsToken)],
  });
  const server = http2.createServer(adapter);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
