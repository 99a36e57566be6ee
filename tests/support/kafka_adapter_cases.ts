import assert from "node:assert/strict";
import { runKafkaTool } from "./kafka_tool.ts";
import { type ReadRecord, readTopic } from "./kcat_reader.ts";
import { testBrokers } from "./kafka_target.ts";
import type { Logger } from "../../src/core/ops/logger.ts";
import type { OutboundRecord } from "../../src/core/routing/record_sink.ts";
import type { ConsumedRecord, KafkaAdapter } from "../../src/kafka/kafka_adapter.ts";
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { type KafkaConnection, PLAINTEXT } from "../../src/kafka/kafka_security.ts";
import { isReplicationFactorUnmet } from "../../src/kafka/replication_factor_unmet.ts";

/** A logger for adapters under test: errors and warnings go to stderr, the rest nowhere. */
export const testLogger: Logger = {
  debug() {},
  info() {},
  warn: (msg, fields) => console.error("warn", msg, fields ?? ""),
  error: (msg, fields) => console.error("error", msg, fields ?? ""),
};

/** Makes the adapter under test for `connection`, named `clientId` to the brokers. */
export type AdapterMaker = (connection: KafkaConnection, clientId: string) => KafkaAdapter;

/**
 * Where the cases run: the connection the adapter under test uses, and the plaintext brokers of
 * the same cluster that the independent readers (kcat, Kafka's ConfigCommand) use. By default both
 * are the plain dev broker (`KAFKA_BROKERS`, else 127.0.0.1:9092).
 */
export interface CaseTarget {
  readonly connection: KafkaConnection;
  readonly readBrokers: readonly string[];
}

function defaultTarget(): CaseTarget {
  const brokers = testBrokers().split(",");
  return { connection: { brokers, security: PLAINTEXT }, readBrokers: brokers };
}

/**
 * Partitions Java's producer (kafka-clients 4.4.0, `BuiltInPartitioner.partitionForKey`) picks for
 * the keys `player-0` to `player-23` on a 6-partition topic. Computed once with the JVM from the
 * dev broker's jars (`java -cp "$HOME/.cache/veltrix/kafka/libs/*" Vectors.java`), the same run
 * that made the vectors of `platformatic/murmur2_partitioner_test.ts`.
 */
const JAVA_PARTITIONS_OF_6 = [0, 5, 5, 3, 2, 0, 5, 1, 3, 2, 1, 0, 4, 3, 3, 3, 3, 5, 3, 0, 1, 4, 5, 5];

const PROTOBUF = "application/x-protobuf; messageType=veltrix.v1.RoutedEvent";
const JSON_TYPE = "application/json; messageType=veltrix.v1.RoutedEvent";
const DEAD_BROKER = "127.0.0.1:1";

/** Test options of every case: the adapters and the shared broker leave timers behind for a moment. */
const OPTIONS = { sanitizeOps: false, sanitizeResources: false } as const;

/**
 * Test helper: the behaviour every {@link KafkaAdapter} shares, run by each adapter's test file
 * against the real broker (`KAFKA_BROKERS`, else 127.0.0.1:9092) with fresh topics. Other tests
 * restart that broker, so each case first waits until it answers.
 */
export function kafkaAdapterCases(name: string, makeAdapter: AdapterMaker, target: CaseTarget = defaultTarget()): void {
  const { connection, readBrokers: brokers } = target;
  /** Runs `body` with a fresh adapter once the broker answers, and closes the adapter after. */
  const withAdapter = (body: (adapter: KafkaAdapter) => Promise<void>) => async () => {
    await waitForBroker(brokers);
    const adapter = makeAdapter(connection, `veltrix-test-${name}`);
    try {
      await body(adapter);
    } finally {
      await adapter.close();
    }
  };
  const freshTopic = (what: string) => `test.${name}.${what}-${crypto.randomUUID().slice(0, 8)}`;
  const create = (adapter: KafkaAdapter, topic: string, partitions = 1) =>
    adapter.createTopics([{ topic, partitions, replicationFactor: -1 }]);

  Deno.test(
    `${name}: produce() writes a batch to two topics with keys, values and the three headers`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const [a, b] = [freshTopic("a"), freshTopic("b")];
      await adapter.createTopics([a, b].map((topic) => ({ topic, partitions: 2, replicationFactor: -1 })));
      await adapter.connect();
      const since = Date.now() - 1_000;
      const binary = new Uint8Array([0, 1, 2, 250, 255, 7]);
      const headers = (id: string, type: string) => ({
        "veltrix-event-id": id,
        "veltrix-route-version": "7",
        "content-type": type,
      });
      const records: OutboundRecord[] = [
        { topic: a, key: "player-1", value: binary.subarray(1, 5), headers: headers("e-1", PROTOBUF) },
        {
          topic: b,
          key: "player-1",
          value: '{"type":"treasure.collected","gold":40}',
          headers: headers("e-1", JSON_TYPE),
        },
        { topic: a, key: "player-2", value: "é €", headers: headers("e-2", JSON_TYPE) },
        { topic: b, key: null, value: binary, headers: headers("e-3", PROTOBUF) },
      ];
      await adapter.produce(records, 30_000);
      const read = [...await readTopic(brokers.join(","), a, since), ...await readTopic(brokers.join(","), b, since)];
      const seen = (r: ReadRecord) => ({ topic: r.topic, key: r.key, value: [...r.value], headers: r.headers });
      const bytes = (
        value: Uint8Array | string,
      ) => [...(typeof value === "string" ? new TextEncoder().encode(value) : value)];
      const sortKey = (r: { topic: string; headers: Readonly<Record<string, string>> }) =>
        `${r.topic} ${r.headers["veltrix-event-id"]}`;
      assert.deepEqual(
        read.map(seen).sort((x, y) => sortKey(x).localeCompare(sortKey(y))),
        records.map((r) => ({ topic: r.topic, key: r.key, value: bytes(r.value), headers: { ...r.headers } }))
          .sort((x, y) => sortKey(x).localeCompare(sortKey(y))),
      );
    }),
  );

  Deno.test(
    `${name}: produce() puts a player's key on the partition Java's murmur2 picks, not all on one`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const topic = freshTopic("keys");
      await create(adapter, topic, 6);
      await adapter.connect();
      const since = Date.now() - 1_000;
      const keys = JAVA_PARTITIONS_OF_6.map((_, i) => `player-${i}`);
      await adapter.produce(keys.map((key) => ({ topic, key, value: key, headers: {} })), 30_000);
      const partitionOf = new Map((await readTopic(brokers.join(","), topic, since)).map((r) => [r.key, r.partition]));
      assert.deepEqual(keys.map((key) => partitionOf.get(key)), JAVA_PARTITIONS_OF_6);
      assert.ok(new Set(partitionOf.values()).size > 1, "the keys are spread over the partitions");
    }),
  );

  Deno.test(
    `${name}: produce() keeps each partition's order across consecutive calls`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const topic = freshTopic("order");
      await create(adapter, topic, 3);
      await adapter.connect();
      const since = Date.now() - 1_000;
      let sequence = 0;
      for (let call = 0; call < 5; call++) {
        const batch = Array.from({ length: 40 }, () => {
          const n = sequence++;
          return { topic, key: `player-${n % 7}`, value: String(n), headers: {} };
        });
        await adapter.produce(batch, 30_000);
      }
      const read = await readTopic(brokers.join(","), topic, since);
      assert.equal(read.length, sequence);
      for (const key of new Set(read.map((r) => r.key))) {
        const mine = read.filter((r) => r.key === key).sort((x, y) => x.offset - y.offset);
        const values = mine.map((r) => Number(new TextDecoder().decode(r.value)));
        assert.deepEqual(values, [...values].sort((x, y) => x - y), `records of ${key} keep their order`);
      }
    }),
  );

  Deno.test(
    `${name}: createTopics() is idempotent and creates a compacted topic with its configs`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const topic = freshTopic("compact");
      const spec = {
        topic,
        partitions: 1,
        replicationFactor: -1,
        configs: { "cleanup.policy": "compact", "segment.ms": "3600000" },
      };
      await adapter.createTopics([spec]);
      await adapter.createTopics([spec]);
      assert.ok((await adapter.listTopics()).includes(topic));
      const configs = await describeTopicConfigs(brokers, topic);
      assert.equal(configs.get("cleanup.policy"), "compact");
      assert.equal(configs.get("segment.ms"), "3600000");
    }),
  );

  Deno.test(
    `${name}: consumeFromStart() reads a topic's records in order, then the new ones`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const topic = freshTopic("read");
      await create(adapter, topic);
      await adapter.connect();
      const record = (n: number): OutboundRecord => ({
        topic,
        key: "route-map",
        value: new Uint8Array([n]),
        headers: {},
      });
      await adapter.produce([record(1), record(2), record(3)], 30_000);
      const seen: ConsumedRecord[] = [];
      let wake: (() => void) | undefined;
      await adapter.consumeFromStart(topic, (r) => {
        seen.push(r);
        wake?.();
        return Promise.resolve();
      });
      const until = async (count: number) => {
        const deadline = Date.now() + 30_000;
        while (seen.length < count && Date.now() < deadline) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 250);
          });
        }
      };
      await until(3);
      await adapter.produce([record(4), record(5)], 30_000);
      await until(5);
      assert.deepEqual(seen.map((r) => [...(r.value ?? [])]), [[1], [2], [3], [4], [5]]);
      assert.equal(new TextDecoder().decode(seen[0]!.key!), "route-map");
    }),
  );

  Deno.test(
    `${name}: isPermanent() is true for a topic that does not exist (no auto-creation)`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const topic = freshTopic("missing");
      await adapter.connect();
      const error = await rejection(adapter.produce([{ topic, key: "k", value: "v", headers: {} }], 5_000));
      assert.equal(adapter.isPermanent(error), true, String(error));
      assert.ok(!(await adapter.listTopics()).includes(topic), "the topic was not created on the fly");
    }),
  );

  Deno.test(
    `${name}: createTopics() with more replicas than the cluster has brokers rejects with INVALID_REPLICATION_FACTOR and creates nothing`,
    OPTIONS,
    withAdapter(async (adapter) => {
      const topic = freshTopic("rf");
      const error = await adapter.createTopics([{ topic, partitions: 1, replicationFactor: 10 }]).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(error !== undefined, "createTopics() rejected");
      assert.equal(isReplicationFactorUnmet(error), true, String(error));
      assert.ok(!(await adapter.listTopics()).includes(topic));
    }),
  );

  Deno.test(`${name}: isPermanent() is false for a network error`, OPTIONS, async () => {
    const adapter = makeAdapter({ ...connection, brokers: [DEAD_BROKER] }, `veltrix-test-${name}-dead`);
    try {
      const error = await rejection(adapter.connect());
      assert.equal(adapter.isPermanent(error), false, String(error));
    } finally {
      await adapter.close();
    }
  });

  Deno.test(`${name}: onConnectionChange() hears the producer connect, then disconnect on close`, OPTIONS, async () => {
    await waitForBroker(brokers);
    const adapter = makeAdapter(connection, `veltrix-test-${name}-events`);
    const heard: boolean[] = [];
    adapter.onConnectionChange((connected) => heard.push(connected));
    await adapter.connect();
    assert.equal(heard.at(-1), true);
    await adapter.close();
    assert.equal(heard.at(-1), false);
  });

  Deno.test(`${name}: close() twice, and before any connect, does not throw`, OPTIONS, async () => {
    await waitForBroker(brokers);
    const idle = makeAdapter(connection, `veltrix-test-${name}-idle`);
    await idle.close();
    await idle.close();
    const used = makeAdapter(connection, `veltrix-test-${name}-used`);
    await used.connect();
    await used.close();
    await used.close();
  });
}

/** The error `promise` rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** Waits up to a minute for the cluster to answer (another test may be restarting it). */
async function waitForBroker(brokers: readonly string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await clusterAnswers(brokers, 2_000))) {
    if (Date.now() > deadline) assert.fail(`no Kafka broker answers at ${brokers.join(",")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A topic's dynamic configs, as Kafka's own ConfigCommand (from the dev broker's jars) describes them. */
async function describeTopicConfigs(brokers: readonly string[], topic: string): Promise<Map<string, string>> {
  const args = ["--entity-type", "topics", "--entity-name", topic, "--describe"];
  const output = await runKafkaTool("ConfigCommand", brokers.join(","), args);
  assert.ok(output.success, `ConfigCommand failed: ${output.stderr}`);
  return new Map([...output.stdout.matchAll(/^\s+([a-z.]+)=(\S+) sensitive=/gm)].map((m) => [m[1]!, m[2]!]));
}
