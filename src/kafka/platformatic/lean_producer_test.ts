/**
 * LeanProducer's idempotence rules (docs/kafka-idempotence.md) over a scripted client: the
 * metadata, connections and InitProducerId are fakes, and each produce request's answer is scripted
 * per attempt, so every rule is exercised without a cluster. Real-broker behaviour is in
 * tests/platformatic_adapter_test.ts.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { kGetApi, kGetConnection, kMetadata, type Producer } from "@platformatic/kafka";
import { LeanProducer } from "./lean_producer.ts";
import { isPermanentPlatformaticError } from "./permanent_error.ts";
import type { PlatformaticMessage } from "./record_encoder.ts";

/** What one produce request carried, read back from its bytes. */
interface SentBatch {
  readonly topic: string;
  readonly partition: number;
  readonly producerId: number;
  readonly epoch: number;
  readonly sequence: number;
  readonly records: number;
  readonly bytes: string;
}

/** An answer to one request: error codes by partition (absent = 0), or a connection error. */
type Answer = Record<number, number> | Error;

function readRequest(body: Uint8Array): SentBatch[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 1 + 2 + 4;
  const uvarint = () => {
    let value = 0, shift = 0, byte: number;
    do {
      byte = body[at++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const batches: SentBatch[] = [];
  for (let t = uvarint() - 1; t > 0; t--) {
    const nameLength = uvarint() - 1;
    const topic = new TextDecoder().decode(body.subarray(at, at + nameLength));
    at += nameLength;
    for (let p = uvarint() - 1; p > 0; p--) {
      const partition = view.getInt32(at);
      at += 4;
      const length = uvarint() - 1;
      batches.push({
        topic,
        partition,
        producerId: Number(view.getBigInt64(at + 43)),
        epoch: view.getInt16(at + 51),
        sequence: view.getInt32(at + 53),
        records: view.getInt32(at + 57),
        bytes: Buffer.from(body.subarray(at, at + length)).toString("hex"),
      });
      at += length + 1;
    }
    at++;
  }
  return batches;
}

function scripted(answers: Answer[], partitions = 2, deliveryTimeoutMs = 120_000, sameId = false) {
  const requests: SentBatch[][] = [];
  const metadataCalls: boolean[] = [];
  let producerIds = 0;
  const connection = {
    send(
      _key: number,
      _version: number,
      payload: () => { buffer: Buffer },
      _parse: unknown,
      _a: boolean,
      _b: boolean,
      callback: (error: Error | null, response?: unknown) => void,
    ) {
      const batches = readRequest(new Uint8Array(payload().buffer));
      requests.push(batches);
      const answer = answers.shift() ?? {};
      queueMicrotask(() => {
        if (answer instanceof Error) return callback(answer);
        callback(null, {
          responses: [...new Set(batches.map((b) => b.topic))].map((name) => ({
            name,
            partitionResponses: batches.filter((b) => b.topic === name).map((b) => ({
              index: b.partition,
              errorCode: answer[b.partition] ?? 0,
            })),
          })),
        });
      });
    },
  };
  const producer = {
    [kMetadata](options: { forceUpdate: boolean }, callback: (e: null, m: unknown) => void) {
      metadataCalls.push(options.forceUpdate);
      callback(null, {
        brokers: new Map([[1, { host: "127.0.0.1", port: 1 }]]),
        topics: new Map([["t", {
          partitionsCount: partitions,
          partitions: Array.from({ length: partitions }, () => ({ leader: 1 })),
        }]]),
      });
    },
    [kGetConnection](_broker: unknown, callback: (e: null, c: unknown) => void) {
      callback(null, connection);
    },
    [kGetApi](_name: string, callback: (e: null, api: unknown) => void) {
      callback(null, { version: 11 });
    },
    initIdempotentProducer() {
      if (!sameId || producerIds === 0) producerIds++;
      return Promise.resolve({ producerId: BigInt(1000 + producerIds), producerEpoch: 0 });
    },
  } as unknown as Producer<Buffer, Buffer, Buffer, Buffer>;
  const risked: number[] = [];
  const lean = new LeanProducer(producer, {
    partitioner: (_m, key) => key?.[0] ?? 0,
    deliveryTimeoutMs,
    onDuplicatesRisked: (n) => risked.push(n),
  });
  return { lean, requests, metadataCalls, risked };
}

const headers = new Map([[Buffer.from("veltrix-event-id"), Buffer.from("e")]]);
/** Messages whose key's first byte is their partition. */
const messages = (...partitions: number[]): PlatformaticMessage[] =>
  partitions.map((p) => ({ topic: "t", key: Buffer.from([p]), value: Buffer.from("v"), headers }));

const NOT_LEADER = 6, OUT_OF_ORDER = 45, DUPLICATE_SEQUENCE = 46, UNKNOWN_PRODUCER_ID = 59, MESSAGE_TOO_LARGE = 10;

Deno.test("LeanProducer numbers each partition's batches from 0, one request per leader", async () => {
  const { lean, requests } = scripted([]);
  await lean.send(messages(0, 1, 1), 30_000);
  await lean.send(messages(1), 30_000);
  assert.deepEqual(
    requests.map((r) => r.map((b) => [b.partition, b.producerId, b.sequence, b.records])),
    [[[0, 1001, 0, 1], [1, 1001, 0, 2]], [[1, 1001, 2, 1]]],
  );
});

Deno.test("LeanProducer treats DUPLICATE_SEQUENCE_NUMBER as written: no resend", async () => {
  const { lean, requests, risked } = scripted([{ 0: DUPLICATE_SEQUENCE }]);
  await lean.send(messages(0), 30_000);
  assert.equal(requests.length, 1);
  assert.deepEqual(risked, []);
});

Deno.test("LeanProducer on NOT_LEADER_OR_FOLLOWER refreshes metadata and resends the same bytes, same sequence", async () => {
  const { lean, requests, metadataCalls, risked } = scripted([{ 1: NOT_LEADER }]);
  await lean.send(messages(0, 1), 30_000);
  assert.equal(requests.length, 2);
  assert.deepEqual(requests[1]!.map((b) => b.partition), [1]);
  assert.equal(requests[1]![0]!.bytes, requests[0]![1]!.bytes);
  assert.ok(metadataCalls.includes(true), "the metadata was refreshed");
  assert.deepEqual(risked, []);
});

Deno.test("LeanProducer keeps the producer id and sequence through lost connections (a leader failover)", async () => {
  const lost = () => Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK" });
  const { lean, requests, risked } = scripted([lost(), lost(), { 0: NOT_LEADER }, lost(), {}]);
  await lean.send(messages(0), 30_000);
  assert.equal(requests.length, 5);
  assert.equal(new Set(requests.map((r) => r[0]!.bytes)).size, 1, "every resend carries the same bytes");
  assert.deepEqual(risked, []);
});

Deno.test("LeanProducer on OUT_OF_ORDER_SEQUENCE_NUMBER takes a new producer id, renumbers, and counts records that may have landed", async () => {
  const lost = new Error("Request timed out");
  const { lean, requests, risked } = scripted([lost, { 0: OUT_OF_ORDER }]);
  await lean.send(messages(0, 0, 0), 30_000);
  assert.equal(requests.length, 3);
  assert.deepEqual(requests.map((r) => [r[0]!.producerId, r[0]!.sequence]), [[1001, 0], [1001, 0], [1002, 0]]);
  assert.deepEqual(risked, [3]);
});

Deno.test("LeanProducer on UNKNOWN_PRODUCER_ID with no uncertain attempt takes a new producer id and counts nothing", async () => {
  const { lean, requests, risked } = scripted([{ 0: UNKNOWN_PRODUCER_ID }]);
  await lean.send(messages(0), 30_000);
  assert.deepEqual(requests.map((r) => r[0]!.producerId), [1001, 1002]);
  assert.deepEqual(risked, []);
});

Deno.test("LeanProducer rejects a permanent error at once, as permanent", async () => {
  const { lean, requests } = scripted([{ 0: MESSAGE_TOO_LARGE }]);
  const error = await lean.send(messages(0), 30_000).then(() => undefined, (e) => e);
  assert.equal((error as { apiId?: string }).apiId, "MESSAGE_TOO_LARGE");
  assert.equal(isPermanentPlatformaticError(error), true);
  assert.equal(requests.length, 1);
});

Deno.test("LeanProducer past its delivery timeout rejects as retriable, and the next send starts a new producer id, counted", async () => {
  const { lean, requests, risked } = scripted([new Error("Request timed out")], 2, 0);
  const error = await lean.send(messages(0), 30_000).then(() => undefined, (e) => e);
  assert.ok(error instanceof Error);
  assert.equal(isPermanentPlatformaticError(error), false);
  await lean.send(messages(0), 30_000);
  assert.deepEqual(requests.map((r) => [r[0]!.producerId, r[0]!.sequence]), [[1001, 0], [1002, 0]]);
  assert.deepEqual(risked, [1]);
});

Deno.test("LeanProducer.connect() beside sends never restarts the sequence numbers under the same producer id", async () => {
  const { lean, requests } = scripted([], 2, 120_000, true);
  await Promise.all([lean.connect(), lean.send(messages(0), 30_000), lean.connect(), lean.send(messages(0), 30_000)]);
  await lean.connect();
  await lean.send(messages(0), 30_000);
  assert.deepEqual(requests.map((r) => [r[0]!.producerId, r[0]!.sequence]), [[1001, 0], [1001, 1], [1001, 2]]);
});
