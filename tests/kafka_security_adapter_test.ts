/**
 * The KafkaAdapter contract suite over the secure dev broker (`deno task kafka up --security
 * sasl_ssl`), for both clients: SASL_SSL with SCRAM-SHA-512, and mTLS. The adapters connect with
 * the environment the broker prints, read through the same loader the edge uses; kcat and Kafka's
 * ConfigCommand check what they wrote through the broker's own plaintext listener.
 */
import { kafkaAdapterCases, testLogger } from "./support/kafka_adapter_cases.ts";
import { KafkajsAdapter } from "../src/kafka/kafkajs/kafkajs_adapter.ts";
import { PlatformaticAdapter } from "../src/kafka/platformatic/platformatic_adapter.ts";
import { loadKafkaConnection } from "../src/main/kafka_security_source.ts";
import { SECURE_PORTS, secureEnvironments, secureKafkaUp } from "../tools/kafka/secure_broker.ts";

await secureKafkaUp();
const environments = await secureEnvironments();
const readBrokers = [`127.0.0.1:${SECURE_PORTS.internal}`];

for (const [label, env] of [["scram", environments.scram], ["mtls", environments.mtls]] as const) {
  const target = { connection: await loadKafkaConnection(env), readBrokers };
  kafkaAdapterCases(
    `platformatic-${label}`,
    (connection, clientId) => new PlatformaticAdapter({ clientId, connection, logger: testLogger }),
    target,
  );
  kafkaAdapterCases(
    `kafkajs-${label}`,
    (connection, clientId) => new KafkajsAdapter({ clientId, connection, logger: testLogger }),
    target,
  );
}
