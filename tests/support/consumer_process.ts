/**
 * A consumer service as its own process, for the kill-and-restart test: a ConsumerRunner whose
 * handler appends each event id to a state file, and whose EventIdStore reads that same file, so
 * the ids live where the service's state lives. It prints one JSON line per commit and its stats
 * on SIGTERM. Settings come from the environment: BROKERS, TOPIC, GROUP, STATE_FILE, POISON_TOPIC,
 * DELAY_MS.
 */
import { ConsumerRunner, type EventIdStore } from "../../src/consumer/mod.ts";
import { kafkaAdapters, kafkaGroupConsumers, KafkaRecordSink } from "../../src/kafka/mod.ts";
import { quietLogger } from "./kafka_ready.ts";

const env = (name: string) =>
  Deno.env.get(name) ?? (() => {
    throw new Error(`${name} is not set`);
  })();
const brokers = [env("BROKERS")];
const stateFile = env("STATE_FILE");
const delayMs = Number(Deno.env.get("DELAY_MS") ?? "0");

const handled = new Set(
  (await Deno.readTextFile(stateFile).catch(() => "")).split("\n").filter((line) => line !== ""),
);
/** The ids in the state file: written by the handler itself, so `add` has nothing left to do. */
const store: EventIdStore = { has: (_partition, id) => handled.has(id), add: () => {} };

const adapter = (await kafkaAdapters("kafkajs", brokers, quietLogger))("consumer-process-poison");
await adapter.connect();
const runner = new ConsumerRunner({
  consumer: (await kafkaGroupConsumers("kafkajs", brokers, quietLogger))({
    clientId: "consumer-process",
    groupId: env("GROUP"),
    sessionTimeoutMs: 6_000,
  }),
  groupId: env("GROUP"),
  topics: [env("TOPIC")],
  store,
  poison: { topic: env("POISON_TOPIC"), sink: new KafkaRecordSink(adapter) },
  handler: async (event) => {
    await Deno.writeTextFile(stateFile, `${event.id}\n`, { append: true });
    handled.add(event.id);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  },
  onCommit: (partition, next) => console.log(JSON.stringify({ commit: { ...partition, next } })),
});
Deno.addSignalListener("SIGTERM", async () => {
  await runner.stop();
  console.log(JSON.stringify({ stats: runner.stats }));
  await adapter.close();
  Deno.exit(0);
});
await runner.start();
console.log(JSON.stringify({ started: true }));
