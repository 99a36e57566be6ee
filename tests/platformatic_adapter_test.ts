import assert from "node:assert/strict";
import { kafkaAdapterCases, testLogger } from "./support/kafka_adapter_cases.ts";
import { PlatformaticAdapter } from "../src/kafka/platformatic/platformatic_adapter.ts";

kafkaAdapterCases(
  "platformatic",
  (brokers, clientId) => new PlatformaticAdapter({ clientId, brokers, logger: testLogger }),
);

Deno.test("PlatformaticAdapter.produce() rejects a malformed record at once, as permanent, without a broker", async () => {
  const adapter = new PlatformaticAdapter({ clientId: "veltrix-test", brokers: ["127.0.0.1:1"], logger: testLogger });
  try {
    const record = { topic: "t", key: "k", value: 42 as unknown as string, headers: {} };
    const error = await adapter.produce([record], 5_000).then(() => undefined, (e) => e);
    assert.ok(error instanceof TypeError);
    assert.equal(adapter.isPermanent(error), true);
  } finally {
    await adapter.close();
  }
});
