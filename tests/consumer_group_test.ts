/**
 * The consumer library on the real broker: a resend across two edges is handled once, a consumer
 * killed mid-batch and restarted handles nothing twice and loses nothing, and poison records move
 * aside with their error.
 */
import assert from "node:assert/strict";
import {
  encodeRoutedEventBinary,
  LEADERBOARD_TOPIC,
  type OutboundRecord,
  PROTOBUF_CONTENT_TYPE,
} from "../src/core/mod.ts";
import { ConsumerRunner, decodeRoutedEvent, DedupeWindow, POISON_HEADERS } from "../src/consumer/mod.ts";
import { kafkaGroupConsumers, KafkaRecordSink, type TopicPartition } from "../src/kafka/mod.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { ownFleetTopics, startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient, type TestEvent } from "./support/ingest_client.ts";
import { createTestTopics, freshTopic, quietLogger, testAdapter } from "./support/kafka_ready.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { playerToken } from "./support/tokens.ts";

/** Resolves once `done()` holds (after `refresh()`), checking every 50 ms; rejects after `timeoutMs`. */
async function until(
  done: () => boolean,
  what: string,
  timeoutMs = 60_000,
  refresh: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await refresh(), !done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The offset after the last record of each partition, keyed `topic/partition`. */
function endOffsets(records: readonly { topic: string; partition: number; offset: number }[]): Map<string, number> {
  const ends = new Map<string, number>();
  for (const r of records) {
    const key = `${r.topic}/${r.partition}`;
    ends.set(key, Math.max(ends.get(key) ?? 0, r.offset + 1));
  }
  return ends;
}

/** True when every partition in `ends` has a commit at or past its end. */
function committedPast(ends: Map<string, number>, commits: Map<string, number>): boolean {
  return [...ends].every(([key, end]) => (commits.get(key) ?? -1) >= end);
}

function trackCommits(commits: Map<string, number>) {
  return (partition: TopicPartition, next: string) =>
    commits.set(`${partition.topic}/${partition.partition}`, Number(next));
}

function veltrixRecord(topic: string, player: string, event: TestEvent, edgeId: string): OutboundRecord {
  const value = encodeRoutedEventBinary({ id: event.id, type: event.type, data: event.data }, {
    player,
    receivedAtMs: Date.now(),
    edgeId,
    routeVersion: "1",
  });
  const headers = { "veltrix-event-id": event.id, "veltrix-route-version": "1", "content-type": PROTOBUF_CONTENT_TYPE };
  return { topic, key: player, value, headers };
}

Deno.test("a resend across two edges is in Kafka twice and handled once", async () => {
  const since = Date.now() - 1_000;
  const run = crypto.randomUUID().slice(0, 8);
  const env = ownFleetTopics();
  const adapter = await testAdapter("consumer-test-resend");
  const [edgeA, edgeB] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
  const poisonTopic = freshTopic("consumer-test.poison");
  await createTestTopics(adapter, [{ topic: poisonTopic, partitions: 1, replicationFactor: 1 }]);
  const players = Array.from({ length: 8 }, (_, p) => `resend-${run}-${p}`);
  const sent = players.map((_, p) =>
    Array.from({ length: 25 }, (_, i) => ({ id: `${run}-${p}-${i}`, type: "treasure.collected", data: { gold: i } }))
  );
  try {
    // Every event goes through edge A; the last 8 of each player's go again through edge B, as a
    // client does when it reconnects elsewhere before its acks arrive.
    for (
      const [edge, pick] of [[edgeA, (events: TestEvent[]) => events], [
        edgeB,
        (e: TestEvent[]) => e.slice(-8),
      ]] as const
    ) {
      await Promise.all(players.map(async (player, p) => {
        const client = await IngestClient.connect(edge.ingestUrl, await playerToken(player));
        const events = pick(sent[p]!);
        client.sendBinary(events);
        await client.waitForAcks(events.map((e) => e.id));
        await client.close();
      }));
    }
    const inKafka = (await readTopic(testBrokers(), LEADERBOARD_TOPIC, since))
      .filter((r) => r.headers["veltrix-event-id"]?.startsWith(`${run}-`));
    const written = sent.flat().length;
    const duplicatesInKafka = inKafka.length - new Set(inKafka.map((r) => r.headers["veltrix-event-id"])).size;
    assert.equal(written, 200);
    assert.equal(duplicatesInKafka, 64, "8 resent events of 8 players are in Kafka twice");

    const handled: string[] = [];
    const commits = new Map<string, number>();
    const runner = new ConsumerRunner({
      consumer: (await kafkaGroupConsumers("kafkajs", [testBrokers()], quietLogger))({
        clientId: "consumer-test",
        groupId: `consumer-test-${run}`,
      }),
      groupId: `consumer-test-${run}`,
      topics: [LEADERBOARD_TOPIC],
      start: { from: "timestamp", timestampMs: since },
      store: new DedupeWindow({ idsPerPartition: 1_000 }),
      poison: { topic: poisonTopic, sink: new KafkaRecordSink(adapter) },
      handler: (event) => {
        if (event.id.startsWith(`${run}-`)) handled.push(event.id);
      },
      onCommit: trackCommits(commits),
    });
    await runner.start();
    try {
      await until(() => committedPast(endOffsets(inKafka), commits), "commits past the test's records");
    } finally {
      await runner.stop();
    }
    console.log(
      `resend across edges: written ${written}, in Kafka ${inKafka.length} (duplicates ${duplicatesInKafka}), handled ${handled.length}`,
    );
    assert.equal(handled.length, written, "each event handled once");
    assert.deepEqual(new Set(handled), new Set(sent.flat().map((e) => e.id)));
    assert.ok(runner.stats.duplicates >= duplicatesInKafka, `skipped ${runner.stats.duplicates}`);
    const edges = new Set(inKafka.map((r) => decodeRoutedEvent(r).edgeId));
    assert.deepEqual(edges, new Set([edgeA.edgeId, edgeB.edgeId]), "the copies came through both edges");
  } finally {
    await Promise.all([edgeA.stop(), edgeB.stop()]);
    await adapter.close();
  }
});

/** A consumer service process (tests/support/consumer_process.ts) and the lines it printed. */
function startConsumerProcess(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("./support/consumer_process.ts", import.meta.url).pathname],
    env: { BROKERS: testBrokers(), ...env },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const pump = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      for (let newline; (newline = buffered.indexOf("\n")) !== -1;) {
        lines.push(JSON.parse(buffered.slice(0, newline)));
        buffered = buffered.slice(newline + 1);
      }
    }
  })();
  return {
    lines,
    async end(signal: "SIGTERM" | "SIGKILL") {
      child.kill(signal);
      await child.status;
      await pump;
    },
  };
}

Deno.test("a consumer killed mid-batch and restarted handles nothing twice and loses nothing", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const topic = freshTopic("consumer-test.kill");
  const poisonTopic = `${topic}.poison`;
  const adapter = await testAdapter("consumer-test-kill");
  const stateDir = await Deno.makeTempDir({ prefix: "veltrix-consumer-test-" });
  const stateFile = `${stateDir}/handled.txt`;
  try {
    await createTestTopics(adapter, [
      { topic, partitions: 2, replicationFactor: 1 },
      { topic: poisonTopic, partitions: 1, replicationFactor: 1 },
    ]);
    const records = Array.from(
      { length: 400 },
      (_, i) => veltrixRecord(topic, `player-${i % 8}`, { id: `${run}-${i}`, type: "treasure.collected" }, "edge-a"),
    );
    await adapter.produce(records, 30_000);
    const ends = endOffsets(await readTopic(testBrokers(), topic, 0));
    const readLines = async () => (await Deno.readTextFile(stateFile).catch(() => "")).split("\n").filter(Boolean);
    const env = { TOPIC: topic, GROUP: `consumer-test-${run}`, STATE_FILE: stateFile, POISON_TOPIC: poisonTopic };

    const first = startConsumerProcess({ ...env, DELAY_MS: "5" });
    let handledAtKill = 0;
    await until(() => handledAtKill >= 120, "the first consumer to handle 120 events", 60_000, async () => {
      handledAtKill = (await readLines()).length;
    });
    await first.end("SIGKILL");
    const committedAtKill = first.lines.flatMap((l) => l.commit ? [l.commit as { next: string }] : [])
      .reduce((sum, c) => sum + Number(c.next), 0);
    handledAtKill = (await readLines()).length;

    const second = startConsumerProcess({ ...env, DELAY_MS: "0" });
    const commits = new Map<string, number>();
    await until(() => {
      for (const line of second.lines) {
        const commit = line.commit as { topic: string; partition: number; next: string } | undefined;
        if (commit) commits.set(`${commit.topic}/${commit.partition}`, Number(commit.next));
      }
      return committedPast(ends, commits);
    }, "the restarted consumer to commit every record");
    await second.end("SIGTERM");
    const stats = second.lines.find((l) => l.stats)?.stats as { handled: number; duplicates: number };

    const handled = await readLines();
    console.log(
      `kill mid-batch: written 400, handled before the kill ${handledAtKill} (committed ${committedAtKill}), ` +
        `skipped after restart ${stats.duplicates}, handled after restart ${stats.handled}, handled in all ${handled.length}`,
    );
    assert.ok(handledAtKill > committedAtKill, "the kill came mid-batch: some handled records were not committed");
    assert.equal(stats.duplicates, handledAtKill - committedAtKill, "every redelivered record was skipped");
    assert.equal(handled.length, 400, "nothing handled twice");
    assert.deepEqual(new Set(handled), new Set(records.map((r) => r.headers["veltrix-event-id"])), "nothing lost");
  } finally {
    await adapter.close();
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("a record the handler keeps failing on, and one that is no Veltrix record, move to the poison topic", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const topic = freshTopic("consumer-test.poison-source");
  const poisonTopic = `${topic}.poison`;
  const adapter = await testAdapter("consumer-test-poison");
  try {
    await createTestTopics(adapter, [
      { topic, partitions: 1, replicationFactor: 1 },
      { topic: poisonTopic, partitions: 1, replicationFactor: 1 },
    ]);
    await adapter.produce([
      veltrixRecord(topic, "p1", { id: `${run}-good`, type: "treasure.collected" }, "edge-a"),
      veltrixRecord(topic, "p1", { id: `${run}-bad`, type: "treasure.cursed" }, "edge-a"),
      { topic, key: "p1", value: "hello, not a Veltrix record", headers: { "content-type": "text/plain" } },
      veltrixRecord(topic, "p1", { id: `${run}-after`, type: "treasure.collected" }, "edge-a"),
    ], 30_000);
    const handled: string[] = [];
    let tries = 0;
    const commits = new Map<string, number>();
    const runner = new ConsumerRunner({
      consumer: (await kafkaGroupConsumers("kafkajs", [testBrokers()], quietLogger))({
        clientId: "consumer-test",
        groupId: `consumer-test-${run}`,
      }),
      groupId: `consumer-test-${run}`,
      topics: [topic],
      poison: { topic: poisonTopic, sink: new KafkaRecordSink(adapter) },
      maxAttempts: 3,
      retryDelayMs: 10,
      handler: (event) => {
        if (event.type === "treasure.cursed") {
          tries++;
          throw new Error("the chest is cursed");
        }
        handled.push(event.id);
      },
      onCommit: trackCommits(commits),
    });
    await runner.start();
    try {
      await until(() => (commits.get(`${topic}/0`) ?? 0) >= 4, "a commit past the four records");
    } finally {
      await runner.stop();
    }
    assert.deepEqual(handled, [`${run}-good`, `${run}-after`]);
    assert.equal(tries, 3);
    const aside = await readTopic(testBrokers(), poisonTopic, 0);
    assert.deepEqual(aside.map((r) => r.headers[POISON_HEADERS.source]), [`${topic}/0/1`, `${topic}/0/2`]);
    assert.deepEqual(aside.map((r) => r.headers[POISON_HEADERS.code]), ["HANDLER_FAILED", "INVALID_RECORD"]);
    assert.deepEqual(aside.map((r) => r.headers[POISON_HEADERS.attempts]), ["3", "0"]);
    assert.equal(aside[0]!.headers[POISON_HEADERS.error], "the chest is cursed");
    assert.equal(aside[0]!.headers["veltrix-event-id"], `${run}-bad`);
    assert.equal(decodeRoutedEvent(aside[0]!).type, "treasure.cursed", "the value is the original record's");
    assert.equal(new TextDecoder().decode(aside[1]!.value), "hello, not a Veltrix record");
  } finally {
    await adapter.close();
  }
});
