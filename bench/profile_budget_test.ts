import assert from "node:assert/strict";
import { budgetOf } from "./profile_budget.ts";

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

Deno.test("budgetOf() gives each sample to the innermost frame that names a stage, and keeps idle apart", () => {
  const profile = {
    nodes: [
      frame(1, "(root)", "", [2, 5, 6, 7]),
      frame(2, "receive", "file:///x/src/edge/ingest/ingest_connection.ts", [3]),
      frame(3, "decodeJsonClientFrame", "file:///x/src/core/client_frame_codec.ts", [4]),
      frame(4, "parse", ""),
      frame(5, "(garbage collector)", ""),
      frame(6, "(idle)", ""),
      frame(7, "sendBatch", "file:///npm/kafkajs/src/producer.js"),
    ],
    samples: [4, 4, 3, 2, 5, 6, 6, 7],
    timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10],
    startTime: 0,
    endTime: 80,
  };
  const budget = budgetOf(profile);
  assert.equal(budget.byStage["decode"], 30, "JSON.parse under the decoder is decode");
  assert.equal(budget.byStage["WebSocket receive"], 10);
  assert.equal(budget.byStage["garbage collection"], 10);
  assert.equal(budget.byStage["Kafka encode and send"], 10);
  assert.equal(budget.idleUs, 20);
  assert.equal(budget.wallUs, 80);
});
