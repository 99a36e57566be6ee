import type { LiveRouteTable } from "../core/route_map/live_route_table.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { Readiness } from "../core/ops/readiness.ts";
import type { RouteControl } from "../control/route_control.ts";
import type { FleetStatus } from "../control/fleet_status.ts";
import type { EdgeMetrics } from "../edge/edge_metrics.ts";
import type { IngestSide } from "../edge/start_ingest.ts";
import { tenantQuotasJson } from "../core/admission/quota_share.ts";
import { observeQuotaShare } from "../edge/quota_share_metrics.ts";
import { type AdminAppOptions, createAdminApp } from "./admin_app.ts";

/** What the admin listener is configured with (field names as in the edge config). */
export interface AdminSettings {
  readonly edgeId: string;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly routeUpdateMaxBytes: number;
  readonly opsToken: string | undefined;
}

/** What the admin listener shows and drives. */
export interface AdminDependencies {
  readonly routes: LiveRouteTable;
  readonly control: RouteControl;
  readonly ingest: IngestSide;
  readonly readiness: Readiness;
  readonly metrics: EdgeMetrics;
  readonly logger: Logger;
  readonly fleet?: FleetStatus;
  readonly dryRun?: AdminAppOptions["dryRun"];
}

/** The running admin listener. */
export interface AdminSide {
  readonly port: number;
  /** Aborted, with the error as its reason, if the admin listener fails for good. */
  readonly failure: AbortSignal;
  stop(): Promise<void>;
}

/**
 * Starts the admin listener (health, route control, metrics, dashboard) and points the metrics'
 * gauges and apply-time histogram at the parts they measure.
 */
export function startAdmin(settings: AdminSettings, deps: AdminDependencies): AdminSide {
  const { routes, control, ingest, metrics } = deps;
  metrics.observe({
    connections: () => ingest.connections.size,
    inFlightEvents: () => ingest.lanes.pendingEvents,
    routeMapVersion: () => Number(routes.table.version),
    readiness: () => deps.readiness.snapshot(),
    tenants: () => ingest.connections.tenantBudgets(),
    // Each lane writes through a producer of its own; `other` through the main one.
    producers: () => ingest.lanes.labels().length,
  });
  const tenantQuotas = () => tenantQuotasJson(routes.table.tenancy, ingest.connections.liveEdges);
  observeQuotaShare(metrics.registry, tenantQuotas);
  const stopApplied = control.onApplied((applied) => metrics.applied(applied.applyMs));
  const stopRefused = control.onRefused((refused) => metrics.routeUpdateRefused(refused.error.code));
  const stopMetering = () => {
    stopApplied();
    stopRefused();
  };
  const app = createAdminApp({
    readiness: deps.readiness,
    routes,
    control,
    edgeId: settings.edgeId,
    routeUpdateMaxBytes: settings.routeUpdateMaxBytes,
    opsToken: settings.opsToken,
    connections: () => ingest.connections.size,
    metrics,
    inFlight: () => ({ events: ingest.lanes.pendingEvents, batches: ingest.lanes.inFlightBatches }),
    logger: deps.logger,
    tenantQuotas,
    ...(deps.fleet ? { fleet: deps.fleet } : {}),
    ...(deps.dryRun ? { dryRun: deps.dryRun } : {}),
  });
  const abort = new AbortController();
  const server = Deno.serve(
    { hostname: settings.adminHost, port: settings.adminPort, signal: abort.signal, onListen: () => {} },
    app.fetch,
  );
  const failure = new AbortController();
  server.finished.catch((error: unknown) => {
    if (abort.signal.aborted) return;
    deps.logger.error("the admin listener failed and accepts no more connections", { error });
    failure.abort(error instanceof Error ? error : new Error(String(error)));
  });
  return {
    port: server.addr.port,
    failure: failure.signal,
    async stop() {
      stopMetering();
      abort.abort();
      await server.finished.catch(() => {});
    },
  };
}
