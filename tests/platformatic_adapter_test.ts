import assert from "node:assert/strict";
import { kafkaAdapterCases, testLogger } from "./support/kafka_adapter_cases.ts";
import { PlatformaticAdapter } from "../src/kafka/platformatic/platformatic_adapter.ts";
import { PLAINTEXT } from "../src/kafka/kafka_security.ts";

kafkaAdapterCases(
  "platformatic",
  (connection, clientId) => new PlatformaticAdapter({ clientId, connection, logger: testLogger }),
);

Deno.test("PlatformaticAdapter.produce() rejects a malformed record at once, as permanent, without a broker", async () => {
  const connection = { brokers: ["127.0.0.1:1"], security: PLAINTEXT };
  const adapter = new PlatformaticAdapter({ clientId: "veltrix-test", connection, logger: testLogger });
  try {
    const record = { topic: "t", key: "k", value: 42 as unknown as string, headers: {} };
    const error = await adapter.produce([record], 5_000).then(() => undefined, (e) => e);
    assert.ok(error instanceof TypeError);
    assert.equal(adapter.isPermanent(error), true);
  } finally {
    await adapter.close();
  }
});
