import { Kafka, logLevel } from "kafkajs";
import { silenceKafkajsTimeoutWarnings } from "./kafkajs_client.ts";
import type { KafkaConnection } from "../kafka_security.ts";
import { kafkajsSecurity } from "./kafkajs_security.ts";

/**
 * True when the cluster at `connection` answers a metadata request within `timeoutMs`: one try, no
 * retries, nothing logged. For readiness checks of scripts (the dev broker's `up`).
 */
export async function kafkajsClusterAnswers(connection: KafkaConnection, timeoutMs: number): Promise<boolean> {
  silenceKafkajsTimeoutWarnings();
  const kafka = new Kafka({
    clientId: "veltrix-kafka-probe",
    brokers: [...connection.brokers],
    ...kafkajsSecurity(connection.security),
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
