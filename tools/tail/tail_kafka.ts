import type { Logger } from "../../src/core/mod.ts";
import type { KafkaConnection, KafkaOffsets } from "../../src/kafka/mod.ts";
import { loadKafkaConnection } from "../../src/main/kafka_security_source.ts";

/** A failure to report as it is, exit code 1. */
export class TailError extends Error {}

/** Drops kafkajs's own log lines: the tools report failures themselves. */
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Throws a {@link TailError} naming every topic of `topics` the cluster does not have. */
export async function checkTopics(offsets: KafkaOffsets, topics: readonly string[]): Promise<void> {
  const known = new Set(await offsets.listTopics());
  const unknown = topics.filter((topic) => !known.has(topic));
  if (unknown.length === 0) return;
  const listed = [...known].filter((t) => !t.startsWith("__")).sort();
  const hint = listed.length > 20 ? `${listed.slice(0, 20).join(", ")}, …` : listed.join(", ");
  throw new TailError(
    `unknown topic${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")} (the cluster has: ${hint})`,
  );
}

/**
 * The Kafka connection from the environment (`KAFKA_BROKERS`, `KAFKA_SECURITY_PROTOCOL`, the SASL
 * and TLS settings, as the edge reads them), with `brokers` (a `--brokers` flag) first; a setting
 * that cannot be used is a {@link TailError}.
 */
export async function kafkaConnectionOrTailError(brokers: string | undefined): Promise<KafkaConnection> {
  try {
    return await loadKafkaConnection(Deno.env.toObject(), brokers);
  } catch (error) {
    throw new TailError((error as Error).message);
  }
}
