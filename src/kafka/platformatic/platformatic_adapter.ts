import { Admin, Producer } from "@platformatic/kafka";
import type { Buffer } from "node:buffer";
import type { Logger } from "../../core/ops/logger.ts";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import type { ConsumedRecord, KafkaAdapter, TopicSpec } from "../kafka_adapter.ts";
import { sleep } from "../retry.ts";
import { javaCompatiblePartitioner } from "./murmur2_partitioner.ts";
import { LeanProducer } from "./lean_producer.ts";
import { isPermanentPlatformaticError } from "./permanent_error.ts";
import { RecordEncoder } from "./record_encoder.ts";
import { TopicReader } from "./topic_reader.ts";
import type { KafkaConnection } from "../kafka_security.ts";
import { platformaticSecurity } from "./platformatic_security.ts";

/** Where a {@link PlatformaticAdapter} connects. */
export interface PlatformaticAdapterOptions {
  readonly clientId: string;
  readonly connection: KafkaConnection;
  readonly logger: Logger;
  /**
   * Told how many records were resent under a new producer id after an attempt that may have
   * landed (each may then be in Kafka twice).
   */
  readonly onDuplicatesRisked?: (records: number) => void;
}

/** The broker-side produce timeout `connect()` prepares a producer for (the edge's default). */
const DEFAULT_PRODUCE_TIMEOUT_MS = 30_000;

/**
 * Attempts the client makes of one produce (and of the metadata and InitProducerId requests under
 * it) before `produce()` rejects: the first and 5 retries, 100 ms apart doubling to 1.6 s, about
 * 3 s in all against a broker that refuses connections. Must be 2 or more: the client turns 0 or
 * 1 into "retry forever" for an idempotent producer.
 */
const PRODUCE_RETRIES = 5;

/**
 * How long one produce keeps resending the same batches, with the same producer id and sequence
 * numbers, before it rejects: Java's `delivery.timeout.ms` default. A leader election (the broker
 * session timeout plus a few seconds) fits well within it, so a failover writes no duplicates.
 */
const DELIVERY_TIMEOUT_MS = 120_000;

/** How long `createTopics` waits for every new partition to have a leader. */
const LEADER_WAIT_MS = 30_000;

/**
 * The {@link KafkaAdapter} over @platformatic/kafka 2.12.1: an idempotent producer (the client
 * then sets acks=all and one request in flight per broker connection), records placed by Java's
 * murmur2 partitioner, a short-lived admin client per topic call, and a {@link TopicReader} (a
 * throwaway consumer group, never committed, deleted on close) for `consumeFromStart`.
 *
 * Produce goes through a {@link LeanProducer} (one buffer per request, the client's connections,
 * metadata and producer id) when the broker speaks produce v9 to v11. It resends the same batches
 * with the same producer id and sequence numbers for up to {@link DELIVERY_TIMEOUT_MS}, through
 * leader elections and broker restarts, so the broker drops what it already wrote. Only a resend
 * under a new producer id (the broker lost this producer's state, or a produce gave up after the
 * delivery timeout and the sink retried the same records) can write a record twice; those records
 * are counted (`onDuplicatesRisked`), and consumers drop duplicates by `veltrix-event-id`. The
 * rules are in docs/kafka-idempotence.md.
 */
export class PlatformaticAdapter implements KafkaAdapter {
  readonly client = "platformatic";
  readonly #options: PlatformaticAdapterOptions;
  readonly #encoder = new RecordEncoder();
  readonly #partitioner = javaCompatiblePartitioner();
  /** One producer per broker-side timeout: the client fixes it per producer (in practice one). */
  readonly #producers = new Map<number, Producer<Buffer, Buffer, Buffer, Buffer>>();
  /** The lean produce path of each producer, once the broker is known to speak a version it encodes. */
  readonly #lean = new Map<Producer<Buffer, Buffer, Buffer, Buffer>, LeanProducer | null>();
  readonly #readers = new Set<TopicReader>();
  readonly #listeners: ((connected: boolean) => void)[] = [];
  #openConnections = 0;

  constructor(options: PlatformaticAdapterOptions) {
    this.#options = options;
  }

  async connect(): Promise<void> {
    const producer = this.#producer(this.#producers.keys().next().value ?? DEFAULT_PRODUCE_TIMEOUT_MS);
    const lean = await this.#leanOf(producer);
    if (lean !== null) await lean.connect();
    else if (producer.producerId === undefined) await producer.initIdempotentProducer({});
  }

  async produce(records: readonly OutboundRecord[], timeoutMs: number): Promise<void> {
    const messages = this.#encoder.encode(records);
    const producer = this.#producer(timeoutMs);
    const lean = this.#lean.get(producer) ?? await this.#leanOf(producer);
    if (lean !== null) await lean.send(messages, timeoutMs);
    else await producer.send({ messages });
  }

  /**
   * The lean produce path over `producer` when the broker speaks produce v9 to v11 (Kafka 2.8 and
   * later), else null: the client's own send then does the work.
   */
  async #leanOf(producer: Producer<Buffer, Buffer, Buffer, Buffer>): Promise<LeanProducer | null> {
    const known = this.#lean.get(producer);
    if (known !== undefined) return known;
    const lean = new LeanProducer(producer, {
      partitioner: this.#partitioner,
      deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
      onDuplicatesRisked: this.#options.onDuplicatesRisked,
    });
    const chosen = (await lean.supported()) ? lean : null;
    this.#lean.set(producer, chosen);
    return chosen;
  }

  isPermanent(error: unknown): boolean {
    return isPermanentPlatformaticError(error);
  }

  listTopics(): Promise<string[]> {
    return this.#withAdmin((admin) => admin.listTopics());
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    await this.#withAdmin(async (admin) => {
      // One call per topic: the client applies one set of configs to every topic of a call.
      for (const spec of specs) {
        try {
          await admin.createTopics({
            topics: [spec.topic],
            partitions: spec.partitions,
            replicas: spec.replicationFactor,
            configs: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
          });
        } catch (error) {
          if (!onlyTopicExists(error)) throw error;
        }
      }
      await waitForLeaders(admin, specs.map((spec) => spec.topic));
    });
  }

  async consumeFromStart(topic: string, onRecord: (record: ConsumedRecord) => Promise<void>): Promise<void> {
    const { clientId, connection, logger } = this.#options;
    const reader = new TopicReader({ clientId: `${clientId}-reader`, connection, logger }, topic, onRecord);
    await reader.start();
    this.#readers.add(reader);
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    const readers = [...this.#readers], producers = [...this.#producers.values()];
    this.#readers.clear();
    this.#producers.clear();
    for (const lean of this.#lean.values()) lean?.close();
    this.#lean.clear();
    await Promise.all([
      ...readers.map((reader) => reader.close().catch(() => {})),
      ...producers.map((producer) => producer.close(true).catch(() => {})),
    ]);
  }

  /** The producer for `timeoutMs`, made on first use; the request timer stays well above it. */
  #producer(timeoutMs: number): Producer<Buffer, Buffer, Buffer, Buffer> {
    let producer = this.#producers.get(timeoutMs);
    if (producer !== undefined) return producer;
    producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      clientId: this.#options.clientId,
      bootstrapBrokers: [...this.#options.connection.brokers],
      ...platformaticSecurity(this.#options.connection.security),
      idempotent: true,
      autocreateTopics: false,
      retries: PRODUCE_RETRIES,
      retryDelay: (_client, _operation, attempt) => Math.min(1_600, 100 * 2 ** (attempt - 1)),
      timeout: timeoutMs,
      requestTimeout: Math.max(2 * timeoutMs, timeoutMs + 5_000),
      partitioner: this.#partitioner,
    });
    producer.on("client:broker:connect", () => this.#connections(+1));
    producer.on("client:broker:disconnect", () => this.#connections(-1));
    this.#producers.set(timeoutMs, producer);
    return producer;
  }

  /** Tells the listeners when the producers go from no open broker connection to some, and back. */
  #connections(delta: number): void {
    const before = this.#openConnections;
    this.#openConnections = Math.max(0, before + delta);
    if ((before === 0) === (this.#openConnections === 0)) return;
    for (const listener of this.#listeners) listener(this.#openConnections > 0);
  }

  async #withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Admin({
      clientId: `${this.#options.clientId}-admin`,
      bootstrapBrokers: [...this.#options.connection.brokers],
      ...platformaticSecurity(this.#options.connection.security),
      retries: 5,
      retryDelay: 250,
    });
    try {
      return await use(admin);
    } finally {
      await admin.close().catch(() => {});
    }
  }
}

/** True when every error in a failed create is TOPIC_ALREADY_EXISTS. */
function onlyTopicExists(error: unknown): boolean {
  const leaves: unknown[] = [];
  const collect = (e: unknown) => {
    const nested = (e as { errors?: unknown } | null)?.errors;
    if (Array.isArray(nested) && nested.length > 0) nested.forEach(collect);
    else leaves.push(e);
  };
  collect(error);
  return leaves.length > 0 && leaves.every((e) => (e as { apiId?: unknown } | null)?.apiId === "TOPIC_ALREADY_EXISTS");
}

/** Polls fresh metadata until every partition of `topics` has a leader. */
async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true }).catch(() => undefined);
    const led = metadata !== undefined && topics.every((topic) => {
      const partitions = metadata.topics.get(topic)?.partitions ?? [];
      return partitions.length > 0 && partitions.every((partition) => partition.leader >= 0);
    });
    if (led) return;
    if (Date.now() > deadline) {
      throw new Error(`topics have no leader after ${LEADER_WAIT_MS} ms: ${topics.join(", ")}`);
    }
    await sleep(100);
  }
}
