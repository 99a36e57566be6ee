/** MurmurHash2's multiplier and shift, and the seed Kafka's Java client hashes keys with. */
const M = 0x5bd1e995;
const R = 24;
const SEED = 0x9747b28c;

/**
 * Kafka's `Utils.murmur2`: the 32-bit MurmurHash2 of `data` (little-endian 4-byte blocks, seed
 * 0x9747b28c), as the signed int Java returns. In 32-bit integer arithmetic (`Math.imul`), so it
 * allocates nothing and costs tens of nanoseconds for a player key.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const tail = length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2]! << 16;
    if (rest >= 2) h ^= data[tail + 1]! << 8;
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Java's producer picks for a keyed record (`BuiltInPartitioner.partitionForKey`):
 * the positive part of the key's murmur2, modulo the partition count. Kafka Streams, Connect and
 * every Java consumer that looks a key's partition up agree with it.
 */
export function javaPartitionForKey(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/**
 * A partitioner for the platformatic producer that places keyed records as Java does. The
 * client reduces what it returns modulo the topic's partition count, so it returns the positive
 * hash itself. Records without a key go round-robin (the client's own round-robin is bypassed
 * once a partitioner is set).
 */
export function javaCompatiblePartitioner(): (message: unknown, key: Uint8Array | undefined | null) => number {
  let next = 0;
  return (_message, key) => {
    if (key === undefined || key === null) {
      next = (next + 1) & 0x7fffffff;
      return next;
    }
    return murmur2(key) & 0x7fffffff;
  };
}
