import { kafkaAdapterCases, testLogger } from "../_kafka_adapter_cases.ts";
import { KafkajsAdapter } from "./kafkajs_adapter.ts";

kafkaAdapterCases(
  "kafkajs",
  (connection, clientId) => new KafkajsAdapter({ clientId, connection, logger: testLogger }),
);
