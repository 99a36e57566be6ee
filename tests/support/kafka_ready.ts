import type { Logger } from "../../src/core/mod.ts";
import { clusterAnswers, type KafkaAdapter, kafkaAdapters, type TopicSpec } from "../../src/kafka/mod.ts";
import { testBrokers } from "./kafka_target.ts";

/** A logger that drops everything (kafkajs is chatty while a broker restarts). */
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Waits until the test broker answers a metadata request: other suites restart the shared broker
 * in their fault tests, so a suite waits for it rather than failing.
 */
export async function waitForKafka(timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await clusterAnswers([testBrokers()], 2_000)) {
    if (Date.now() > deadline) throw new Error(`Kafka at ${testBrokers()} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A connected adapter for writing test records and creating topics; close it after. */
export async function testAdapter(clientId: string): Promise<KafkaAdapter> {
  await waitForKafka();
  const adapter = (await kafkaAdapters("kafkajs", [testBrokers()], quietLogger))(clientId);
  await adapter.connect();
  return adapter;
}

/**
 * Creates `specs` and waits for their leaders, trying again for up to a minute: another suite's
 * fault test may be restarting the shared broker.
 */
export async function createTestTopics(adapter: KafkaAdapter, specs: readonly TopicSpec[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await adapter.createTopics(specs);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await waitForKafka();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** A fresh topic name, `prefix-xxxxxxxx`. */
export function freshTopic(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}
