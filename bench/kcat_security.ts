/**
 * The benchmark reads topics back with kcat (librdkafka), a consumer independent of the edge's
 * client. Against a secured cluster (`bench --target` at a studio's Kafka), kcat gets the same
 * `KAFKA_*` settings as the edge, as a librdkafka properties file (`-F`, mode 0600, so that no
 * password is on a command line). Settings kcat cannot honour are refused with a clear message:
 * OAUTHBEARER (librdkafka takes no token command) and `KAFKA_SSL_SERVER_NAME` (it has no server-name
 * override). Debian's kcat 1.7 (librdkafka 2.0.2) also fails SCRAM against Kafka 4.4 brokers.
 *
 * @module
 */
import { loadConfigFields } from "../src/main/config.ts";
import { KAFKA_CONNECTION_FIELDS } from "../src/main/kafka_security_source.ts";

/** librdkafka properties for the Kafka security settings of `env`; empty for PLAINTEXT. Throws when kcat lacks one. */
export async function kcatProperties(env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const c = loadConfigFields(env, KAFKA_CONNECTION_FIELDS);
  if (c.kafkaSecurityProtocol === "PLAINTEXT") return [];
  if (c.kafkaSaslMechanism === "OAUTHBEARER") {
    throw new Error(
      "the read-back with kcat cannot use KAFKA_SASL_MECHANISM=OAUTHBEARER (no token command in librdkafka)",
    );
  }
  if (c.kafkaSslServerName !== undefined) {
    throw new Error(
      "the read-back with kcat cannot use KAFKA_SSL_SERVER_NAME (librdkafka has no server-name override)",
    );
  }
  const lines = [`security.protocol=${c.kafkaSecurityProtocol.toLowerCase()}`];
  if (c.kafkaSaslMechanism !== undefined) {
    const password = c.kafkaSaslPassword ?? (await Deno.readTextFile(c.kafkaSaslPasswordFile!)).replace(/\r?\n$/, "");
    lines.push(
      `sasl.mechanisms=${c.kafkaSaslMechanism}`,
      `sasl.username=${c.kafkaSaslUsername}`,
      `sasl.password=${password}`,
    );
  }
  if (c.kafkaSslCaFile) lines.push(`ssl.ca.location=${c.kafkaSslCaFile}`);
  if (c.kafkaSslCertFile) lines.push(`ssl.certificate.location=${c.kafkaSslCertFile}`);
  if (c.kafkaSslKeyFile) lines.push(`ssl.key.location=${c.kafkaSslKeyFile}`);
  if (c.kafkaSecurityProtocol !== "SASL_PLAINTEXT") lines.push("ssl.endpoint.identification.algorithm=https");
  return lines;
}

/** Runs `use` with kcat's extra arguments for `env` (`-F file`, removed after), or none for PLAINTEXT. */
export async function withKcatSecurity<T>(
  env: Readonly<Record<string, string | undefined>>,
  use: (args: readonly string[]) => Promise<T>,
): Promise<T> {
  const properties = await kcatProperties(env);
  if (properties.length === 0) return use([]);
  const dir = await Deno.makeTempDir({ prefix: "veltrix-kcat-" });
  try {
    await Deno.writeTextFile(`${dir}/kcat.conf`, properties.join("\n") + "\n", { mode: 0o600 });
    return await use(["-F", `${dir}/kcat.conf`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
