import { kafkaAdapterCases, testLogger } from "./support/kafka_adapter_cases.ts";
import { KafkajsAdapter } from "../src/kafka/kafkajs/kafkajs_adapter.ts";

kafkaAdapterCases("kafkajs", (brokers, clientId) => new KafkajsAdapter({ clientId, brokers, logger: testLogger }));
