import { kafkaAdapterCases, testLogger } from "./support/kafka_adapter_cases.ts";
import { KafkajsAdapter } from "../src/kafka/kafkajs/kafkajs_adapter.ts";

kafkaAdapterCases(
  "kafkajs",
  (connection, clientId) => new KafkajsAdapter({ clientId, connection, logger: testLogger }),
);
