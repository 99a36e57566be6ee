/** A signed route map an edge accepted, as it publishes it to the other edges. */
export interface PublishedRouteMap {
  /** The SignedRouteMap bytes. */
  readonly signed: Uint8Array;
  readonly version: bigint;
}

/**
 * The edges' shared stream of signed route maps (the route map topic, a compacted Kafka topic
 * implemented in `src/kafka/`). An edge publishes each map it accepted from the admin API, and
 * applies every map it reads, its own included; the control plane verifies each one again.
 */
export interface RouteMapFeed {
  /** Writes an applied signed map for the other edges; resolves once the feed has it. */
  publish(map: PublishedRouteMap): Promise<void>;
}

/** Told every signed map read from the feed, oldest first; the feed waits for each to settle. */
export type RouteMapFeedListener = (signed: Uint8Array) => Promise<unknown>;
