/**
 * Kafka protocol errors, by Kafka's own names, that no retry can fix: a batch that fails with one
 * is rejected (its events are not acked) so that clients learn of it. Every other failure (broker
 * down, leader moving, timeouts, connection errors) is worth retrying with the same batch. Each
 * adapter finds these names where its client library puts them.
 */
export const PERMANENT_KAFKA_ERRORS: ReadonlySet<string> = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_REQUIRED_ACKS",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "UNSUPPORTED_VERSION",
  "UNKNOWN_TOPIC_OR_PARTITION",
  "INVALID_TOPIC_EXCEPTION",
]);
