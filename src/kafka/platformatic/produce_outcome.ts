import { PERMANENT_KAFKA_ERRORS } from "../permanent_kafka_errors.ts";

/**
 * What the lean producer does with one partition's answer to a produce request (the rules are in
 * docs/kafka-idempotence.md):
 * - `written`: the broker has the batch. That includes `DUPLICATE_SEQUENCE_NUMBER`: the broker
 *   already wrote a batch with this producer id and sequence (an earlier attempt landed).
 * - `resend`: refresh the metadata and send the same bytes again (same producer id, epoch and
 *   sequence) until the delivery timeout: a new leader recognises a batch it already has.
 * - `new-producer-id`: the broker no longer knows where this producer's sequence stands
 *   (`OUT_OF_ORDER_SEQUENCE_NUMBER`, `UNKNOWN_PRODUCER_ID`, `INVALID_PRODUCER_EPOCH`): take a new
 *   producer id and resend under it. If an earlier attempt may have landed, that can write the
 *   batch twice; those records are counted.
 * - `permanent`: no retry can fix it (Kafka's names in `permanent_kafka_errors.ts`).
 */
export type ProduceOutcome = "written" | "resend" | "new-producer-id" | "permanent";

const NEW_PRODUCER_ID = new Set(["OUT_OF_ORDER_SEQUENCE_NUMBER", "UNKNOWN_PRODUCER_ID", "INVALID_PRODUCER_EPOCH"]);

/**
 * Answers that say the batch was not written: a resend after them cannot be a second copy. Every
 * other failure (a timeout, a lost connection, `NOT_ENOUGH_REPLICAS_AFTER_APPEND`) leaves the
 * batch's fate unknown.
 */
const NOT_WRITTEN = new Set([
  "NOT_LEADER_OR_FOLLOWER",
  "LEADER_NOT_AVAILABLE",
  "NOT_ENOUGH_REPLICAS",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "CORRUPT_MESSAGE",
  ...NEW_PRODUCER_ID,
  ...PERMANENT_KAFKA_ERRORS,
]);

/** The outcome of a partition's answer, by Kafka's error name (`NONE` for success). */
export function produceOutcome(apiId: string): ProduceOutcome {
  if (apiId === "NONE" || apiId === "DUPLICATE_SEQUENCE_NUMBER") return "written";
  if (NEW_PRODUCER_ID.has(apiId)) return "new-producer-id";
  if (PERMANENT_KAFKA_ERRORS.has(apiId)) return "permanent";
  return "resend";
}

/** True when, after this answer, the batch may be in Kafka although the broker did not say so. */
export function mayHaveLanded(apiId: string): boolean {
  return !NOT_WRITTEN.has(apiId) && produceOutcome(apiId) !== "written";
}
