/** Kafka's error code for a replication factor below 1 or above the available brokers. */
const INVALID_REPLICATION_FACTOR = 38;

/**
 * True when `error`, or an error it wraps, is Kafka's INVALID_REPLICATION_FACTOR answer to a
 * CreateTopics request: the topic asks for more replicas than the cluster has brokers available.
 * Reads both clients' shapes: kafkajs (`type`, under an aggregate's `errors`) and
 * @platformatic/kafka (`apiCode`, under `errors` and `cause`).
 */
export function isReplicationFactorUnmet(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (typeof e !== "object" || e === null || seen.has(e)) return false;
    seen.add(e);
    const fields = e as {
      type?: unknown;
      apiCode?: unknown;
      errors?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    if (fields.type === "INVALID_REPLICATION_FACTOR" || fields.apiCode === INVALID_REPLICATION_FACTOR) return true;
    const errors = Array.isArray(fields.errors) ? fields.errors : [];
    return errors.some(visit) || visit(fields.cause) || visit(fields.originalError);
  };
  return visit(error);
}
