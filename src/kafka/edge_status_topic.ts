import { decodeEdgeStatus, type EdgeStatus, encodeEdgeStatus } from "../core/fleet/edge_status.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { CompactedTopic } from "./compacted_topic.ts";

/**
 * The edge status topic: the compacted topic where every edge writes its {@link EdgeStatus}, keyed
 * by edge id, and reads everyone's from the beginning (the fleet view).
 */
export type EdgeStatusTopic = CompactedTopic<EdgeStatus>;

/** The edge status topic `topic`, on its own `adapter`. */
export function edgeStatusTopic(adapter: KafkaAdapter, options: { topic: string; logger: Logger }): EdgeStatusTopic {
  return new CompactedTopic(adapter, {
    topic: options.topic,
    name: "edge status topic",
    publishTimeoutMs: 10_000,
    logger: options.logger,
    codec: {
      encode: (status) => ({
        key: status.edgeId,
        value: encodeEdgeStatus(status),
        headers: { "content-type": "application/json; messageType=veltrix.EdgeStatus" },
      }),
      decode: decodeEdgeStatus,
    },
  });
}
