/**
 * The pure model of Veltrix, one folder per concern:
 * - `frames/`: client and server frame codecs (JSON and binary), event constraints, trace context;
 * - `routing/`: {@link routeEvent}, the Kafka records an event becomes, the {@link RecordSink} port;
 * - `route_map/`: route maps decoded, validated and compiled into a {@link RouteTable}, the table in
 *   force, differences between maps, the default map;
 * - `schemas/`: payload schemas compiled with ajv, and the limits they must keep;
 * - `updates/`: signature checks of route updates, trusted keys, the {@link RouteMapFeed} port;
 * - `admission/`: token buckets and recent event ids, what an edge admits per connection and player;
 * - `errors/`: the one closed table of error codes and {@link VeltrixError};
 * - `fleet/`: the edges seen together: edge status, the fleet view, dry runs against traffic;
 * - `ops/`: the {@link Logger} port, rate-limited logs, readiness, histogram quantiles, ops reads.
 *
 * Core does no I/O: never `Deno.*`, Kafka or Hono; its only packages are `@bufbuild/protobuf` and
 * ajv's 2020-12 validator. Test helpers live in `testing/` folders beside the code they serve.
 * This file is the folder's API for code outside `src/`
 * (tools, benches, examples, applications), which imports it and no other file of the folder;
 * folders inside `src/` import the files they need directly, along the arrows that
 * `tests/architecture_test.ts` checks.
 *
 * @module
 */

// Errors
export { type ErrorCode, errorCodes, type ErrorCodeSpec, isErrorCode, type RpcCode } from "./errors/error_code.ts";
export { VeltrixError } from "./errors/veltrix_error.ts";

// Ports, implemented outside core
export type { Logger } from "./ops/logger.ts";
export type { OutboundRecord, RecordSink } from "./routing/record_sink.ts";
export type { RouteMapFeed, RouteMapFeedListener } from "./updates/route_map_feed.ts";
export type { TopicLayout, TopicProvisioner } from "./routing/topic_provisioner.ts";
export type { DeliveryListener } from "./routing/delivery_listener.ts";
export { Readiness } from "./ops/readiness.ts";

// Payload schemas
export { PAYLOAD_SCHEMA_LIMITS } from "./schemas/payload_schema_limits.ts";

// Route maps and the compiled route table
export { type CompileResult, compileRouteMap, compileRouteMapOrThrow } from "./route_map/compile_route_map.ts";
export { formatRouteMapProblems, type RouteMapProblem } from "./route_map/route_map_problem.ts";
export { decodeRoutableMap } from "./route_map/decode_route_map.ts";
export {
  defaultRouteMap,
  LEADERBOARD_TOPIC,
  PLAYER_ACTIVITY_TOPIC,
  TREASURE_TOPIC,
  UNROUTED_TOPIC,
} from "./route_map/default_route_map.ts";
export {
  type AppliedRouteMap,
  embeddedSnapshot,
  LiveRouteTable,
  type RouteMapOrigin,
  type RouteSnapshot,
} from "./route_map/live_route_table.ts";
export { appliedToJson, jsonVersion } from "./route_map/applied_route_map_json.ts";
export { parseRoutePattern, patternMatches, type RoutePattern } from "./route_map/route_pattern.ts";
export { type CompiledRoute, type Resolution, type ResolvedTarget, RouteTable } from "./route_map/route_table.ts";
export type { RoutableMap } from "./route_map/routable_map.ts";
export { type RoutingChange, routingDifferences } from "./route_map/routing_diff.ts";
export { tenantQuotaDifferences } from "./route_map/tenancy_diff.ts";
export { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from "./route_map/topic_name.ts";

// Signed route updates
export { parseTrustedKeys, type TrustedKeyEntry, TrustedKeys } from "./updates/trusted_keys.ts";
export {
  DEFAULT_MAX_ROUTE_UPDATE_BYTES,
  isVerified,
  type RefusedRouteUpdate,
  type RouteUpdateContext,
  type VerifiedRouteUpdate,
  verifyRouteUpdate,
} from "./updates/verify_route_update.ts";

// Client frames, events and the records they become
export { type BinaryClientEvent, readBinaryClientFrame } from "./frames/binary_client_frame.ts";
export { writeBinaryServerFrame } from "./frames/binary_server_frame.ts";
export { buildRecords, type EventRecords, JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE } from "./routing/build_records.ts";
export {
  BAD_EVENT_HEADERS,
  CANARY_HEADER,
  CONTENT_TYPE_HEADER,
  EDGE_ID_HEADER,
  EDGE_SPAN_ID_HEADER,
  EVENT_ID_HEADER,
  REPLAYED_FROM_HEADER,
  ROUTE_VERSION_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from "./routing/record_headers.ts";
export {
  type EventTraceFields,
  eventTraceFields,
  isValidTracestate,
  MAX_TRACESTATE_LENGTH,
  parseTraceparent,
  SpanIdGenerator,
  type Traceparent,
} from "./frames/trace_context.ts";
export {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  DEFAULT_FRAME_LIMITS,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
  type FrameLimits,
  type IncomingEvent,
} from "./frames/client_frame_codec.ts";
export type { EventReject, ServerReply } from "./frames/frame_types.ts";
export {
  eventDataProblem,
  eventIdProblem,
  eventTypeProblem,
  MAX_DATA_DEPTH,
  MAX_EVENT_ID_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
} from "./frames/event_constraints.ts";
export { encodeRoutedEventBinary, encodeRoutedEventJson, type EventStamp } from "./routing/routed_event_encoding.ts";
export { isReject, type RoutedOrRejected, routeEvent } from "./routing/route_event.ts";
export { type DeadLetter, replayDeadLetter, type ReplayOutcome } from "./routing/replay_event.ts";
export { Admission, type AdmissionLimits, DEFAULT_RETRY_AFTER_MS } from "./admission/admission.ts";

// Per-connection and per-player bookkeeping, metrics and logs
export { bearerMatches } from "./ops/bearer_token.ts";
export { bucketDelta, type CumulativeBucket, histogramQuantile } from "./ops/histogram_quantile.ts";
export {
  type LogLevelName,
  RateLimitedLog,
  type RateLimitedLogOptions,
  SUPPRESSED_MESSAGE,
} from "./ops/rate_limited_log.ts";
export { PlayerEventIds, RecentEventIds, type RecentEventIdsOptions } from "./admission/recent_event_ids.ts";
export { TokenBucket } from "./admission/token_bucket.ts";
