import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import type { RouteMapFeed } from "../core/updates/route_map_feed.ts";
import type { TopicProvisioner } from "../core/routing/topic_provisioner.ts";
import type { TrustedKeys } from "../core/updates/trusted_keys.ts";
import { type GrpcServer, startGrpcServer } from "./grpc_server.ts";
import { RouteControl } from "./route_control.ts";
import { RouteMapStore } from "./route_map_store.ts";

/** Readiness condition the control plane owns: the map to route by is in place. */
export const TABLE_LOADED = "route table loaded";

/** What the control plane is configured with (field names as in the edge config). */
export interface ControlSettings {
  readonly stateDir: string;
  readonly routeUpdateMaxBytes: number;
  /** Port of the plain-gRPC listener on `adminHost`; -1 turns it off. */
  readonly grpcPort: number;
  readonly adminHost: string;
  readonly opsToken: string | undefined;
}

/** What the control plane works with. */
export interface ControlDependencies {
  readonly routes: LiveRouteTable;
  /** The keys route maps must be signed with. */
  readonly keys: TrustedKeys;
  readonly topics: TopicProvisioner;
  readonly feed: RouteMapFeed;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly log: RateLimitedLog;
}

/** The running control plane of one edge. */
export interface ControlPlane {
  readonly control: RouteControl;
  /** The plain-gRPC port actually bound, when it is on. */
  readonly grpcPort: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the control plane: puts the last known good map from the state dir in force (verified
 * again against today's keys; the embedded default stays when it cannot be used), then serves
 * plain gRPC when its port is on. The JSON and Connect surfaces are mounted on the admin app.
 */
export async function startControl(settings: ControlSettings, deps: ControlDependencies): Promise<ControlPlane> {
  const { logger, readiness } = deps;
  readiness.add(TABLE_LOADED);
  if (deps.keys.ids.length === 0) {
    logger.warn("no trusted route-map keys (VELTRIX_TRUSTED_KEYS): route updates are refused");
  }
  const control = new RouteControl({
    routes: deps.routes,
    keys: deps.keys,
    maxBytes: settings.routeUpdateMaxBytes,
    logger,
    log: deps.log,
    store: new RouteMapStore(settings.stateDir),
    topics: deps.topics,
    feed: deps.feed,
  });
  const notRestored = await control.restore();
  if (notRestored !== undefined) {
    logger.warn("last known good route map not used; routing by the embedded default", { reason: notRestored });
  } else if (control.current.source === "state") {
    logger.info("restored the last known good route map", {
      version: control.current.version,
      keyId: control.current.keyId,
    });
  }
  readiness.set(TABLE_LOADED, true);
  let grpc: GrpcServer | undefined;
  if (settings.grpcPort >= 0) {
    grpc = await startGrpcServer(control, settings.adminHost, settings.grpcPort, settings.opsToken);
  }
  return {
    control,
    grpcPort: grpc?.port,
    async stop() {
      await grpc?.close();
    },
  };
}
