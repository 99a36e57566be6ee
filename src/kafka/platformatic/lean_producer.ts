import { kGetApi, kGetConnection, kMetadata, type Producer, ProtocolError, Writer } from "@platformatic/kafka";
import { Buffer } from "node:buffer";
import {
  type ClientInternals,
  type ClusterMetadata,
  errorName,
  keepPartitionErrors,
  PARSERS,
  type ProduceResponse,
} from "./client_internals.ts";
import type { PlatformaticMessage } from "./record_encoder.ts";
import { mayHaveLanded, produceOutcome } from "./produce_outcome.ts";
import {
  LEAN_PRODUCE_VERSIONS,
  orderLikeClient,
  type PartitionBatch,
  ProduceRequestEncoder,
  type ProducerIdentity,
  type TopicBatches,
} from "./produce_request.ts";

/** Options of a {@link LeanProducer}. */
export interface LeanProducerOptions {
  /**
   * How long one `send` keeps resending the same batches (same producer id and sequences) while
   * leaders move or brokers are down, as Java's `delivery.timeout.ms`. @default 120000
   */
  readonly deliveryTimeoutMs?: number;
  /** Places a keyed record (positive hash; reduced modulo the partition count here). */
  readonly partitioner: (message: unknown, key: Uint8Array | undefined | null) => number;
  /**
   * Told how many records are resent under a new producer id after an attempt that may have
   * landed: each may be in Kafka twice.
   */
  readonly onDuplicatesRisked?: (records: number) => void;
}

/** A partition's batch while a send is under way. */
interface Pending extends PartitionBatch {
  readonly topic: string;
  /** An earlier attempt of this batch may be in Kafka. */
  uncertain: boolean;
}

const ACKS_ALL = -1;

/**
 * A produce-only path over a platformatic {@link Producer}: it reuses the client's connections
 * (and so its TLS and SASL), its metadata cache and its InitProducerId, and replaces what sits
 * between the records and the socket. Each `send` encodes one request per leader broker into one
 * buffer ({@link ProduceRequestEncoder}), writes it on the client's connection, and handles each
 * partition's answer by the idempotence rules of {@link produceOutcome}: a leader move or an
 * outage resends the same bytes with the same producer id and sequence numbers until the delivery
 * timeout, so that the new leader drops what it already has. Sends run one at a time, which keeps
 * the per-partition sequence numbers in order.
 */
export class LeanProducer {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #client: ClientInternals;
  readonly #options: LeanProducerOptions;
  readonly #deliveryTimeoutMs: number;
  readonly #encoder = new ProduceRequestEncoder();
  /** Next sequence number per `topic:partition` under {@link #identity}. */
  readonly #sequences = new Map<string, number>();
  #identity: ProducerIdentity | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(producer: Producer<Buffer, Buffer, Buffer, Buffer>, options: LeanProducerOptions) {
    this.#producer = producer;
    this.#client = producer as unknown as ClientInternals;
    this.#options = options;
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
  }

  /** True when the broker speaks a produce version this path encodes (9 to 11); else use the client's send. */
  async supported(): Promise<boolean> {
    const api = await new Promise<{ version: number }>((resolve, reject) =>
      this.#client[kGetApi]("Produce", (error, api) => error ? reject(error) : resolve(api))
    );
    return LEAN_PRODUCE_VERSIONS.includes(api.version);
  }

  /** Writes `messages` with acks=all; resolves when every partition's leader has them. */
  send(messages: readonly PlatformaticMessage[], timeoutMs: number): Promise<void> {
    const run = this.#tail.then(() => this.#send(messages, timeoutMs));
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Makes every later send fail at once. */
  close(): void {
    this.#closed = true;
  }

  async #send(messages: readonly PlatformaticMessage[], timeoutMs: number): Promise<void> {
    if (messages.length === 0) return;
    const deadline = Date.now() + this.#deliveryTimeoutMs;
    const topicSet = new Set<string>();
    for (const m of messages) topicSet.add(m.topic);
    const topics = [...topicSet];
    let metadata = await this.#metadata(topics, false);
    await this.#connect();
    let pending = this.#batches(messages, metadata);
    let attempt = 0;
    for (;;) {
      if (this.#closed) throw new Error("Client closed while producing");
      const result = await this.#attempt(pending, metadata, timeoutMs);
      if (result.permanent !== undefined) throw result.permanent;
      pending = result.again;
      if (pending.length === 0) return;
      if (result.newProducerId) {
        const risked = pending.reduce((n, p) => n + (p.uncertain ? p.messages.length : 0), 0);
        if (risked > 0) this.#options.onDuplicatesRisked?.(risked);
        this.#identity = undefined;
        await this.#newIdentity();
        pending = pending.map((p) => ({
          ...p,
          ...this.#sequenced(p.topic, p.partition, p.messages),
          uncertain: false,
        }));
      }
      if (Date.now() >= deadline) {
        this.#abandon(pending);
        throw Object.assign(
          new Error(`produce not acknowledged within the ${this.#deliveryTimeoutMs} ms delivery timeout`),
          { code: "PLT_KFK_TIMEOUT", cause: result.lastError },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** Math.min(attempt++, 5))));
      metadata = await this.#metadata(topics, true).catch(() => metadata);
    }
  }

  /** Sends every pending batch once, one request per leader; says what is left to do. */
  async #attempt(
    pending: Pending[],
    metadata: ClusterMetadata,
    timeoutMs: number,
  ): Promise<{ again: Pending[]; newProducerId: boolean; permanent?: Error; lastError?: unknown }> {
    const byLeader = new Map<number, Pending[]>();
    const again: Pending[] = [];
    for (const p of pending) {
      const leader = metadata.topics.get(p.topic)?.partitions[p.partition]?.leader ?? -1;
      if (leader < 0 || !metadata.brokers.has(leader)) {
        again.push(p);
        continue;
      }
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [p]);
      else list.push(p);
    }
    let newProducerId = false, permanent: Error | undefined, lastError: unknown;
    const identity = this.#identity!;
    await Promise.all([...byLeader].map(async ([leader, batches]) => {
      const outcome = await this.#request(metadata.brokers.get(leader), batches, identity, timeoutMs).then(
        (response) => ({ response, error: undefined }),
        (error: unknown) => ({ response: undefined, error }),
      );
      if (outcome.response === undefined) {
        lastError = outcome.error;
        for (const p of batches) {
          // A request that failed before it was written cannot have landed; one that was sent may have.
          if ((outcome.error as { sent?: boolean })?.sent !== false) p.uncertain = true;
          again.push(p);
        }
        return;
      }
      const codes = new Map<string, number>();
      for (const topic of outcome.response.responses) {
        for (const r of topic.partitionResponses) codes.set(`${topic.name}:${r.index}`, r.errorCode);
      }
      for (const p of batches) {
        const code = codes.get(`${p.topic}:${p.partition}`);
        const apiId = code === undefined ? "UNKNOWN_SERVER_ERROR" : code === 0 ? "NONE" : errorName(code);
        switch (produceOutcome(apiId)) {
          case "written":
            break;
          case "permanent":
            permanent ??= new ProtocolError(code!, `${p.topic}[${p.partition}]`);
            break;
          case "new-producer-id":
            newProducerId = true;
            again.push(p);
            break;
          case "resend":
            lastError = new ProtocolError(code ?? -1);
            if (mayHaveLanded(apiId)) p.uncertain = true;
            again.push(p);
        }
      }
    }));
    if (permanent !== undefined) this.#abandon(again);
    return { again, newProducerId, permanent, lastError };
  }

  /** One produce request on the leader's connection; resolves with the parsed response. */
  #request(
    broker: unknown,
    batches: Pending[],
    identity: ProducerIdentity,
    timeoutMs: number,
  ): Promise<ProduceResponse> {
    return new Promise((resolve, reject) => {
      this.#client[kGetConnection](broker, (error, connection) => {
        if (error) return reject(Object.assign(error, { sent: false }));
        this.#client[kGetApi]("Produce", (error, api) => {
          if (error) return reject(Object.assign(error, { sent: false }));
          const parse = PARSERS[api.version];
          if (parse === undefined) return reject(new Error(`produce v${api.version} is not encoded here`));
          const bytes = this.#encoder.encode(byTopic(batches), ACKS_ALL, timeoutMs, identity, Date.now());
          const payload = Writer.create().append(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          connection.send(
            0,
            api.version,
            () => payload,
            keepPartitionErrors(parse),
            true,
            true,
            (error: Error | null, response: unknown) => error ? reject(error) : resolve(response as ProduceResponse),
          );
        });
      });
    });
  }

  /** The partition batches of `messages`, placed and numbered under `identity`. */
  #batches(messages: readonly PlatformaticMessage[], metadata: ClusterMetadata): Pending[] {
    const partitioner = this.#options.partitioner;
    // Grouped by topic, then partition number: no string is built per record.
    const groups = new Map<string, { count: number; partitions: Map<number, PlatformaticMessage[]> }>();
    let lastTopic: string | undefined,
      group: { count: number; partitions: Map<number, PlatformaticMessage[]> } | undefined;
    for (const m of messages) {
      if (m.topic !== lastTopic || group === undefined) {
        lastTopic = m.topic;
        group = groups.get(m.topic);
        if (group === undefined) {
          const count = metadata.topics.get(m.topic)?.partitionsCount;
          if (count === undefined) throw new ProtocolError("UNKNOWN_TOPIC_OR_PARTITION", m.topic);
          group = { count, partitions: new Map() };
          groups.set(m.topic, group);
        }
      }
      const partition = partitioner(m, m.key) % group.count;
      const list = group.partitions.get(partition);
      if (list === undefined) group.partitions.set(partition, [m]);
      else list.push(m);
    }
    const pending: Pending[] = [];
    for (const [topic, { partitions }] of groups) {
      for (const [partition, list] of partitions) {
        pending.push({ topic, partition, ...this.#sequenced(topic, partition, list), uncertain: false });
      }
    }
    return pending;
  }

  /** Takes the next sequence numbers of a partition for `messages`. */
  #sequenced(
    topic: string,
    partition: number,
    messages: readonly PlatformaticMessage[],
  ): { firstSequence: number; messages: readonly PlatformaticMessage[]; bytes: undefined } {
    const key = `${topic}:${partition}`;
    const firstSequence = this.#sequences.get(key) ?? 0;
    this.#sequences.set(key, (firstSequence + messages.length) % 2147483648);
    return { firstSequence, messages, bytes: undefined };
  }

  /**
   * After a send that gave up with batches whose fate is unknown, the broker's next expected
   * sequence is unknown too: the next send starts under a new producer id.
   */
  #abandon(pending: Pending[]): void {
    if (pending.length === 0) return;
    const risked = pending.reduce((n, p) => n + (p.uncertain ? p.messages.length : 0), 0);
    if (risked > 0) this.#options.onDuplicatesRisked?.(risked);
    this.#identity = undefined;
    this.#sequences.clear();
  }

  /** Takes a producer id from the cluster, unless this producer has one; queued behind any send. */
  connect(): Promise<void> {
    const run = this.#tail.then(() => this.#connect());
    this.#tail = run.catch(() => {});
    return run;
  }

  async #connect(): Promise<void> {
    if (this.#identity === undefined) await this.#newIdentity();
  }

  /**
   * Takes a producer id from the cluster (InitProducerId). The sequence numbers restart only when
   * the id or epoch is new: restarting them under an id the broker already has would make it
   * take new batches for duplicates of old ones.
   */
  async #newIdentity(): Promise<void> {
    const info = await this.#producer.initIdempotentProducer({});
    const producerId = Number(info.producerId), producerEpoch = info.producerEpoch;
    const current = this.#identity;
    if (current?.producerId === producerId && current.producerEpoch === producerEpoch) return;
    this.#sequences.clear();
    this.#identity = { producerId, producerEpoch };
  }

  /** The client's metadata of `topics`; a forced refresh makes one attempt (the send loop backs off and retries). */
  #metadata(topics: string[], forceUpdate: boolean): Promise<ClusterMetadata> {
    return new Promise((resolve, reject) =>
      this.#client[kMetadata](
        { topics, autocreateTopics: false, forceUpdate, ...(forceUpdate ? { retries: 0 } : {}) },
        (error, metadata) => error ? reject(error) : resolve(metadata),
      )
    );
  }
}

/** Groups partition batches by topic, ordered as the client orders them. */
function byTopic(batches: readonly Pending[]): TopicBatches[] {
  const topics = new Map<string, TopicBatches>();
  for (const b of batches) {
    const t = topics.get(b.topic);
    if (t === undefined) topics.set(b.topic, { topic: b.topic, partitions: [b] });
    else t.partitions.push(b);
  }
  return orderLikeClient([...topics.values()]);
}
