import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { crc32c as clientCrc32c, produceV11 } from "@platformatic/kafka";
import type { PlatformaticMessage } from "./record_encoder.ts";
import { crc32c, orderLikeClient, ProduceRequestEncoder, type TopicBatches } from "./produce_request.ts";

/** The client's own produce request body for the same records, as its producer would send it. */
function clientBytes(
  topics: readonly TopicBatches[],
  acks: number,
  timeoutMs: number,
  producerId: number,
  producerEpoch: number,
  timestampMs: number,
): Uint8Array {
  const messages = [];
  const sequences = new Map<string, number>();
  for (const { topic, partitions } of topics) {
    for (const { partition, messages: batch, firstSequence } of partitions) {
      sequences.set(`${topic}:${partition}`, firstSequence);
      for (const m of batch) {
        messages.push({ ...m, partition, timestamp: BigInt(timestampMs) });
      }
    }
  }
  const writer = produceV11.createRequest(acks, timeoutMs, messages, {
    producerId: BigInt(producerId),
    producerEpoch,
    sequences: { getWithDefault: (key: string, fallback: number) => sequences.get(key) ?? fallback },
  } as never);
  return new Uint8Array(writer.buffer);
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
const headerMap = fc.array(fc.tuple(bytes(20), bytes(200)), { maxLength: 4 }).map((entries) => new Map(entries));
const message = fc.record({
  key: fc.option(bytes(40), { nil: undefined }),
  value: fc.oneof({ arbitrary: bytes(300), weight: 20 }, {
    arbitrary: fc.integer({ min: 16_000, max: 20_000 }).map((n) => Buffer.alloc(n, 7)),
    weight: 1,
  }),
  headers: headerMap,
});
/** Records as the edge makes them: several records of one event share one headers Map. */
const partitionMessages = fc.array(
  fc.tuple(message, fc.integer({ min: 1, max: 3 })),
  { minLength: 1, maxLength: 20 },
).map((groups) => groups.flatMap(([m, n]) => Array.from({ length: n }, () => ({ ...m, topic: "" }))));
const topicName = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
  fc.constantFrom("7", "42", "0", "game.player-activity"),
);
const request = fc.uniqueArray(
  fc.record({
    topic: topicName,
    partitions: fc.uniqueArray(
      fc.record({
        partition: fc.integer({ min: 0, max: 300 }),
        messages: partitionMessages,
        firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1000 }),
      }),
      { selector: (p) => p.partition, minLength: 1, maxLength: 5 },
    ),
  }),
  { selector: (t) => t.topic, minLength: 1, maxLength: 4 },
).map((topics) =>
  topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => ({
      ...p,
      messages: p.messages.map((m) => ({ ...m, topic: t.topic }) as PlatformaticMessage),
    })),
  }))
);

Deno.test("ProduceRequestEncoder.encode() writes the client's own bytes for the same records, CRC included", () => {
  const encoder = new ProduceRequestEncoder();
  fc.assert(
    fc.property(
      request,
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: 0, max: 32767 }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: 2 ** 42 }),
      (topics, producerId, producerEpoch, timeoutMs, timestampMs) => {
        const ordered = orderLikeClient(topics);
        const ours = encoder.encode(ordered, -1, timeoutMs, { producerId, producerEpoch }, timestampMs);
        const theirs = clientBytes(ordered, -1, timeoutMs, producerId, producerEpoch, timestampMs);
        assert.deepEqual(Buffer.from(ours).toString("hex"), Buffer.from(theirs).toString("hex"));
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("ProduceRequestEncoder.encode() resends a batch's bytes as they were: same sequence, timestamp and CRC", () => {
  const encoder = new ProduceRequestEncoder();
  const headers = new Map([[Buffer.from("veltrix-event-id"), Buffer.from("e-1")]]);
  const batch = {
    partition: 3,
    firstSequence: 17,
    messages: [{ topic: "t", key: Buffer.from("k"), value: Buffer.from("v"), headers }],
  };
  const first = encoder.encode(
    [{ topic: "t", partitions: [batch] }],
    -1,
    30_000,
    { producerId: 5, producerEpoch: 0 },
    1,
  );
  const again = encoder.encode(
    [{ topic: "t", partitions: [batch] }],
    -1,
    30_000,
    { producerId: 9, producerEpoch: 2 },
    2,
  );
  assert.deepEqual(again, first);
  const fresh = encoder.encode(
    [{ topic: "t", partitions: [{ ...batch, bytes: undefined }] }],
    -1,
    30_000,
    { producerId: 9, producerEpoch: 2 },
    2,
  );
  assert.notDeepEqual(fresh, first);
  assert.deepEqual(fresh, clientBytes([{ topic: "t", partitions: [batch] }], -1, 30_000, 9, 2, 2));
});

Deno.test("orderLikeClient() puts integer-like topic names first, ascending, and partitions in order", () => {
  const p = (partition: number) => ({ partition, firstSequence: 0, messages: [] });
  const ordered = orderLikeClient([
    { topic: "b", partitions: [p(2), p(0)] },
    { topic: "10", partitions: [p(1)] },
    { topic: "a", partitions: [p(5)] },
    { topic: "9", partitions: [p(1)] },
  ]);
  assert.deepEqual(ordered.map((t) => t.topic), ["9", "10", "b", "a"]);
  assert.deepEqual(ordered[2]!.partitions.map((x) => x.partition), [0, 2]);
});

Deno.test("crc32c() agrees with the client's CRC32C on any bytes and any range", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (data, a, b) => {
      const from = data.length === 0 ? 0 : a % data.length,
        to = from + (data.length === 0 ? 0 : b % (data.length - from + 1));
      assert.equal(crc32c(data, from, to), clientCrc32c(Buffer.from(data.subarray(from, to))));
    }),
  );
});

Deno.test("the pinned @platformatic/kafka is 2.12.1: the lean produce path is proven against that version only", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../../deno.json", import.meta.url)));
  assert.equal(config.imports["@platformatic/kafka"], "npm:@platformatic/kafka@2.12.1");
});
