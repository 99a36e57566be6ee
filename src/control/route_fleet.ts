import { Buffer } from "node:buffer";
import { type Consumer, type Kafka, Partitioners, type Producer } from "kafkajs";
import type { Logger } from "../core/logger.ts";
import type { RouteControl } from "./route_control.ts";

/** The compacted topic that carries signed route maps between edges. */
export const DEFAULT_ROUTES_TOPIC = "veltrix.routes";

/** The one key every record on the routes topic has, so compaction keeps only the latest map. */
export const ROUTES_RECORD_KEY = "route-map";

/**
 * Shares applied route maps across the fleet through one compacted, single-partition Kafka topic.
 * `publish` writes an accepted update; every edge reads the topic from the beginning and hands each
 * record to its own RouteControl, which verifies it again (forged and stale records are counted and
 * dropped there).
 */
export class RouteFleet {
  readonly #kafka: Kafka;
  readonly #control: RouteControl;
  readonly #topic: string;
  readonly #edgeId: string;
  readonly #logger: Logger;
  #producer: Producer | undefined;
  #consumer: Consumer | undefined;

  constructor(kafka: Kafka, control: RouteControl, options: { topic: string; edgeId: string; logger: Logger }) {
    this.#kafka = kafka;
    this.#control = control;
    this.#topic = options.topic;
    this.#edgeId = options.edgeId;
    this.#logger = options.logger;
  }

  /** Creates the topic if needed, then starts publishing and consuming. Throws if Kafka is unreachable. */
  async start(): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.#topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{
            topic: this.#topic,
            numPartitions: 1,
            // Compacted, with hourly segments so that compaction can drop superseded maps.
            configEntries: [{ name: "cleanup.policy", value: "compact" }, { name: "segment.ms", value: "3600000" }],
          }],
        });
      }
    } finally {
      await admin.disconnect();
    }
    const producer = this.#kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    await producer.connect();
    this.#producer = producer;

    // A group of its own per edge process, never committed: every edge reads the whole topic.
    const consumer = this.#kafka.consumer({
      groupId: `veltrix-routes-${this.#edgeId}-${crypto.randomUUID()}`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.#topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (message.value === null || message.value.length === 0) return;
        await this.#control.applyFleetRecord(new Uint8Array(message.value));
      },
    });
    this.#consumer = consumer;
    this.#logger.info("route fleet started", { topic: this.#topic });
  }

  /** Writes an applied signed map to the fleet topic and resolves once Kafka has it. */
  async publish(signed: Uint8Array, version: bigint): Promise<void> {
    if (this.#producer === undefined) throw new Error("the route fleet is not connected to Kafka yet");
    await this.#producer.send({
      topic: this.#topic,
      acks: -1,
      messages: [{
        key: ROUTES_RECORD_KEY,
        value: Buffer.from(signed.buffer, signed.byteOffset, signed.byteLength),
        headers: { "veltrix-route-version": version.toString(), "veltrix-edge-id": this.#edgeId },
      }],
    });
  }

  /** Stops consuming and publishing. */
  async stop(): Promise<void> {
    await this.#consumer?.disconnect().catch(() => {});
    await this.#producer?.disconnect().catch(() => {});
  }
}
