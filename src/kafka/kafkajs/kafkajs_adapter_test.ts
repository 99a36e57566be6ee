import { kafkaAdapterCases, testLogger } from "../_kafka_adapter_cases.ts";
import { KafkajsAdapter } from "./kafkajs_adapter.ts";

kafkaAdapterCases("kafkajs", (brokers, clientId) => new KafkajsAdapter({ clientId, brokers, logger: testLogger }));
