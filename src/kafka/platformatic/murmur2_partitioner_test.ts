import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { javaCompatiblePartitioner, javaPartitionForKey, murmur2 } from "./murmur2_partitioner.ts";

/**
 * Reference values from Kafka's Java client 4.4.0 (kafka-clients-4.4.0.jar in the dev broker's
 * libs), computed once with a small Java file run as
 * `java -cp "$HOME/.cache/veltrix/kafka/libs/*" Vectors.java`, printing for each key
 * `Utils.murmur2(bytes)` and `BuiltInPartitioner.partitionForKey(bytes, 6)`. The keys cover every
 * tail length (0 to 3 bytes past the last 4-byte block), multi-byte UTF-8, and bytes of 0x80 and
 * above, which Java reads as negative bytes.
 */
const JAVA_TEXT_VECTORS: readonly [key: string, murmur2: number, partitionOf6: number][] = [
  ["", 275646681, 3],
  ["a", -1563381124, 4],
  ["ab", 316155434, 2],
  ["abc", 479470107, 3],
  ["abcd", -1323649548, 2],
  ["abcde", 461995741, 1],
  ["abcdef", 1870650108, 0],
  ["abcdefg", -346467175, 1],
  ["abcdefgh", -955427363, 3],
  ["player-0", -640324316, 0],
  ["player-00000012345", 1175993105, 5],
  ["route-map", 120601805, 5],
  ["0f8b6c1e-9a3d-4c55-8e21-5d7a0b3c9e41", -173828870, 0],
  ["é", 186971271, 3],
  ["€uro", -1348700560, 4],
  ["Ünïcödé ✓ 玩家", -704772105, 5],
];

/** Raw byte keys, from the same Java run. */
const JAVA_BYTE_VECTORS: readonly [bytes: number[], murmur2: number, partitionOf6: number][] = [
  [[255], -311467685, 3],
  [[128, 127], -894759045, 5],
  [[255, 254, 253], 998637092, 2],
  [[128, 129, 130, 131], 1420557722, 2],
  [[0, 0, 0, 0, 0], 263274959, 5],
  [[222, 173, 190, 239, 202, 254, 186], -316507575, 5],
];

const utf8 = (text: string) => new TextEncoder().encode(text);

Deno.test("murmur2() returns Java's Utils.murmur2 for text keys of every tail length", () => {
  for (const [key, expected] of JAVA_TEXT_VECTORS) assert.equal(murmur2(utf8(key)), expected, JSON.stringify(key));
});

Deno.test("murmur2() returns Java's Utils.murmur2 for bytes of 0x80 and above", () => {
  for (const [bytes, expected] of JAVA_BYTE_VECTORS) assert.equal(murmur2(new Uint8Array(bytes)), expected, `${bytes}`);
});

Deno.test("javaPartitionForKey() picks BuiltInPartitioner.partitionForKey's partition of 6", () => {
  for (const [key, , partition] of JAVA_TEXT_VECTORS) assert.equal(javaPartitionForKey(utf8(key), 6), partition, key);
  for (const [bytes, , partition] of JAVA_BYTE_VECTORS) {
    assert.equal(javaPartitionForKey(new Uint8Array(bytes), 6), partition, `${bytes}`);
  }
});

Deno.test("javaCompatiblePartitioner() hashes a plain Uint8Array key like the same bytes in a Buffer", () => {
  const partitioner = javaCompatiblePartitioner();
  const partitions = new Set<number>();
  for (let i = 0; i < 24; i++) {
    const bytes = utf8(`player-${i}`);
    const fromArray = partitioner(undefined, bytes);
    assert.equal(fromArray, partitioner(undefined, Buffer.from(bytes)));
    assert.equal(fromArray % 6, javaPartitionForKey(bytes, 6));
    partitions.add(fromArray % 6);
  }
  assert.ok(partitions.size > 1, "Uint8Array keys do not all land in partition 0");
});

Deno.test("javaCompatiblePartitioner() returns a non-negative number, and spreads records without a key", () => {
  const partitioner = javaCompatiblePartitioner();
  for (const [key] of JAVA_TEXT_VECTORS) assert.ok(partitioner(undefined, utf8(key)) >= 0);
  const unkeyed = Array.from({ length: 6 }, () => partitioner(undefined, undefined) % 6);
  assert.equal(new Set(unkeyed).size, 6, "six records without a key take the six partitions in turn");
  assert.ok(unkeyed.every((p) => p >= 0));
});
