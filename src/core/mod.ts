/**
 * The pure model of Veltrix: route maps (decode, validate, compile into a route table, the table in
 * force, signature checks of route updates, differences between maps), client and server frame
 * codecs, the Kafka records an event becomes, the one closed table of error codes with
 * {@link VeltrixError}, and the ports the rest implements ({@link Logger}, {@link RecordSink}).
 * Core does no I/O: it imports only other core files, `src/gen/` and `@bufbuild/protobuf`, never
 * Kafka, Hono or `Deno.*`; every other folder may import it, through this file. Files whose name
 * starts with `_` are test helpers private to core.
 *
 * @module
 */

// Errors
export { type ErrorCode, errorCodes, type ErrorCodeSpec, isErrorCode, type RpcCode } from "./error_code.ts";
export { VeltrixError } from "./veltrix_error.ts";

// Ports, implemented outside core
export type { Logger } from "./logger.ts";
export type { OutboundRecord, RecordSink } from "./record_sink.ts";
export type { RouteMapFeed, RouteMapFeedListener } from "./route_map_feed.ts";
export type { TopicLayout, TopicProvisioner } from "./topic_provisioner.ts";
export type { DeliveryListener } from "./delivery_listener.ts";
export { Readiness } from "./readiness.ts";

// Route maps and the compiled route table
export { type CompileResult, compileRouteMap, compileRouteMapOrThrow } from "./compile_route_map.ts";
export { formatRouteMapProblems, type RouteMapProblem } from "./route_map_problem.ts";
export { decodeRoutableMap } from "./decode_route_map.ts";
export {
  defaultRouteMap,
  LEADERBOARD_TOPIC,
  PLAYER_ACTIVITY_TOPIC,
  TREASURE_TOPIC,
  UNROUTED_TOPIC,
} from "./default_route_map.ts";
export {
  type AppliedRouteMap,
  embeddedSnapshot,
  LiveRouteTable,
  type RouteMapOrigin,
  type RouteSnapshot,
} from "./live_route_table.ts";
export { appliedToJson, jsonVersion } from "./applied_route_map_json.ts";
export { parseRoutePattern, patternMatches, type RoutePattern } from "./route_pattern.ts";
export { type CompiledRoute, type Resolution, type ResolvedTarget, RouteTable } from "./route_table.ts";
export type { RoutableMap } from "./routable_map.ts";
export { type RoutingChange, routingDifferences } from "./routing_diff.ts";
export { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from "./topic_name.ts";

// Signed route updates
export { parseTrustedKeys, type TrustedKeyEntry, TrustedKeys } from "./trusted_keys.ts";
export {
  DEFAULT_MAX_ROUTE_UPDATE_BYTES,
  isVerified,
  type RefusedRouteUpdate,
  type RouteUpdateContext,
  type VerifiedRouteUpdate,
  verifyRouteUpdate,
} from "./verify_route_update.ts";

// Client frames, events and the records they become
export { type BinaryClientEvent, readBinaryClientFrame } from "./binary_client_frame.ts";
export { writeBinaryServerFrame } from "./binary_server_frame.ts";
export {
  buildRecords,
  EDGE_SPAN_ID_HEADER,
  type EventRecords,
  JSON_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
} from "./build_records.ts";
export {
  type EventTraceFields,
  eventTraceFields,
  isValidTracestate,
  MAX_TRACESTATE_LENGTH,
  parseTraceparent,
  SpanIdGenerator,
  type Traceparent,
} from "./trace_context.ts";
export {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  DEFAULT_FRAME_LIMITS,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
  type FrameLimits,
  type IncomingEvent,
} from "./client_frame_codec.ts";
export type { EventReject, ServerReply } from "./frame_types.ts";
export {
  eventDataProblem,
  eventIdProblem,
  eventTypeProblem,
  MAX_DATA_DEPTH,
  MAX_EVENT_ID_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
} from "./event_constraints.ts";
export { encodeRoutedEventBinary, encodeRoutedEventJson, type EventStamp } from "./routed_event_encoding.ts";
export { isReject, type RoutedOrRejected, routeEvent } from "./route_event.ts";
export { Admission, type AdmissionLimits, DEFAULT_RETRY_AFTER_MS } from "./admission.ts";

// Per-connection and per-player bookkeeping, metrics and logs
export { bearerMatches } from "./bearer_token.ts";
export { bucketDelta, type CumulativeBucket, histogramQuantile } from "./histogram_quantile.ts";
export {
  type LogLevelName,
  RateLimitedLog,
  type RateLimitedLogOptions,
  SUPPRESSED_MESSAGE,
} from "./rate_limited_log.ts";
export { type RecentEvent, RecentEventIds, type RecentEventIdsOptions } from "./recent_event_ids.ts";
export { TokenBucket } from "./token_bucket.ts";
