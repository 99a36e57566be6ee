/**
 * Zero data loss under faults. SDK clients send steadily while, in turn, the broker is stopped and
 * restarted, the edge is killed with SIGKILL and restarted, and the edge gets SIGTERM and a new
 * one is started. Afterwards kcat reads the topic: every event the SDK reported acked is in Kafka,
 * and every event the application sent was eventually acked. Each case prints sent, acked, found,
 * duplicates and lost, and the longest stall the clients saw. Every case runs on each Kafka client
 * the edge supports.
 */
import assert from "node:assert/strict";
import { kafkaDown, kafkaStatus, kafkaUp } from "../tools/kafka/kafka.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { KAFKA_CLIENTS, type KafkaClientName } from "../src/kafka/kafka_clients.ts";
import { type EdgeProcess, freePort, startEdgeProcess } from "./support/edge_process.ts";
import { testBrokers, usingLocalDevBroker } from "./support/kafka_target.ts";
import { SteadySenders } from "./support/steady_senders.ts";

const CLIENTS = 6;
const PER_SECOND = 50;
const BEFORE_FAULT_MS = 2_000;
const AFTER_RECOVERY_MS = 2_000;

/** Runs one fault case: senders run, `fault` breaks and repairs something, then Kafka is checked. */
async function faultCase(
  name: string,
  client: KafkaClientName,
  fault: (
    edge: () => EdgeProcess,
    replace: (e: EdgeProcess) => void,
    start: (env: Record<string, string>) => Promise<EdgeProcess>,
  ) => Promise<void>,
) {
  const since = Date.now() - 1000;
  const port = freePort();
  const stateDir = await Deno.makeTempDir({ prefix: "veltrix-fault-" });
  const start = (env: Record<string, string>) => startEdgeProcess({ VELTRIX_KAFKA_CLIENT: client, ...env });
  const env = { VELTRIX_PORT: String(port), VELTRIX_STATE_DIR: stateDir, VELTRIX_SHUTDOWN_TIMEOUT_MS: "5000" };
  let edge = await start(env);
  const senders = SteadySenders.start(`ws://127.0.0.1:${port}/v1/ingest`, CLIENTS, PER_SECOND);
  try {
    await new Promise((resolve) => setTimeout(resolve, BEFORE_FAULT_MS));
    await fault(() => edge, (next) => (edge = next), start);
    await new Promise((resolve) => setTimeout(resolve, AFTER_RECOVERY_MS));
    senders.stop();
    await senders.settled(90_000);

    const records = (await readTopic(testBrokers(), "game.player-activity", since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${senders.run}-`));
    const found = new Set(records.map((r) => r.headers["veltrix-event-id"]!));
    const lost = [...senders.ackedIds].filter((id) => !found.has(id));
    const report = {
      ...senders.report(),
      found: found.size,
      duplicates: records.length - found.size,
      lost: lost.length,
    };
    console.log(`${name} [${client}]: ${JSON.stringify(report)}`);
    assert.equal(report.rejected, 0, `permanent rejects: ${JSON.stringify([...senders.rejections].slice(0, 5))}`);
    assert.equal(report.acked, report.sent, "every event the application sent was eventually acked");
    assert.deepEqual(lost, [], "every acked event is in Kafka");
    assert.ok(report.sent > CLIENTS * PER_SECOND * 3, "traffic flowed throughout");
  } finally {
    await senders.close();
    await edge.stop();
    await Deno.remove(stateDir, { recursive: true });
  }
}

const ownsBroker = usingLocalDevBroker() && (await kafkaStatus()).pid !== undefined;

for (const client of KAFKA_CLIENTS) {
  Deno.test({
    name: `fault [${client}]: the broker stops for several seconds mid-stream and restarts; nothing acked is lost`,
    ignore: !ownsBroker,
    async fn() {
      let down = false;
      try {
        await faultCase("broker stop/start", client, async () => {
          await kafkaDown();
          down = true;
          await new Promise((resolve) => setTimeout(resolve, 4_000));
          await kafkaUp();
          down = false;
        });
      } finally {
        if (down) await kafkaUp();
      }
    },
  });

  Deno.test(`fault [${client}]: the edge is killed with SIGKILL mid-stream and restarted; nothing acked is lost`, async () => {
    await faultCase("edge kill -9", client, async (edge, replace, start) => {
      const killed = edge();
      await killed.kill();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      replace(await start({ VELTRIX_PORT: String(killed.port), VELTRIX_SHUTDOWN_TIMEOUT_MS: "5000" }));
    });
  });

  Deno.test(`fault [${client}]: the edge gets SIGTERM mid-stream and a new one is started; nothing acked is lost`, async () => {
    await faultCase("edge SIGTERM", client, async (edge, replace, start) => {
      const old = edge();
      const code = await old.stop();
      assert.equal(code, 0, "a SIGTERM shutdown exits cleanly");
      assert.ok(old.logs.some((l) => l.msg === "stopped"));
      replace(await start({ VELTRIX_PORT: String(old.port), VELTRIX_SHUTDOWN_TIMEOUT_MS: "5000" }));
    });
  });
}
