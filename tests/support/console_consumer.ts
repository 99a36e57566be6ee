/**
 * Reads a topic back with Kafka's own console consumer, from the dev broker's jars, over the same
 * security settings an edge uses: the independent reader for secured listeners (Debian's kcat,
 * librdkafka 2.0.2, fails SCRAM against Kafka 4.4 while Kafka's Java client succeeds).
 */
import { runKafkaTool } from "./kafka_tool.ts";

/** Kafka's client properties for the `KAFKA_*` settings of `env` (SCRAM or PLAIN over TLS, mTLS). */
export function clientProperties(env: Record<string, string>): string {
  const lines = [`security.protocol=${env.KAFKA_SECURITY_PROTOCOL ?? "PLAINTEXT"}`];
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism !== undefined) {
    const module = mechanism === "PLAIN"
      ? "org.apache.kafka.common.security.plain.PlainLoginModule"
      : "org.apache.kafka.common.security.scram.ScramLoginModule";
    lines.push(
      `sasl.mechanism=${mechanism}`,
      `sasl.jaas.config=${module} required username="${env.KAFKA_SASL_USERNAME}" password="${env.KAFKA_SASL_PASSWORD}";`,
    );
  }
  if (env.KAFKA_SSL_CA_FILE) lines.push("ssl.truststore.type=PEM", `ssl.truststore.location=${env.KAFKA_SSL_CA_FILE}`);
  return lines.join("\n") + "\n";
}

/**
 * The records of `topic` from its start, as `ConsoleConsumer` prints them with their headers
 * (`header:value,...<TAB>value`), one per line; stops after 10 s without a new record.
 */
export async function consoleConsume(env: Record<string, string>, topic: string): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-console-" });
  try {
    await Deno.writeTextFile(`${dir}/client.properties`, clientProperties(env), { mode: 0o600 });
    const output = await runKafkaTool("consumer.ConsoleConsumer", env.KAFKA_BROKERS!, [
      "--command-config",
      `${dir}/client.properties`,
      "--topic",
      topic,
      "--from-beginning",
      "--timeout-ms",
      "10000",
      "--formatter-property",
      "print.headers=true",
    ]);
    if (!/Processed a total of \d+ messages/.test(output.stderr)) {
      throw new Error(`ConsoleConsumer failed: ${output.stderr}`);
    }
    return output.stdout.split("\n").filter((line) => line !== "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
