import type { Logger } from "../core/ops/logger.ts";
import { EDGE_ID_HEADER, ROUTE_VERSION_HEADER } from "../core/routing/record_headers.ts";
import type { PublishedRouteMap } from "../core/updates/route_map_feed.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { CompactedTopic } from "./compacted_topic.ts";

/** The one key every record on the route map topic has, so compaction keeps only the latest map. */
export const ROUTES_RECORD_KEY = "route-map";

/**
 * The route map topic: the compacted topic of signed route maps every edge reads from the
 * beginning (the control plane verifies each again and drops forged and stale ones), and writes
 * each map it accepted from the admin API to. It reads signed map bytes and writes
 * {@link PublishedRouteMap}s.
 */
export type RouteMapTopic = CompactedTopic<Uint8Array, PublishedRouteMap>;

/** The route map topic `topic`, on its own `adapter`, written to as edge `edgeId`. */
export function routeMapTopic(
  adapter: KafkaAdapter,
  options: { topic: string; edgeId: string; logger: Logger },
): RouteMapTopic {
  return new CompactedTopic(adapter, {
    topic: options.topic,
    name: "route map topic",
    publishTimeoutMs: 30_000,
    logger: options.logger,
    codec: {
      encode: ({ signed, version }) => ({
        key: ROUTES_RECORD_KEY,
        value: signed,
        headers: { [ROUTE_VERSION_HEADER]: version.toString(), [EDGE_ID_HEADER]: options.edgeId },
      }),
      decode: (value) => value.length === 0 ? undefined : value,
    },
  });
}
