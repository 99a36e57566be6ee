/**
 * Reads records back from Kafka with `kcat`, a consumer independent of the edge's own client.
 *
 * @module
 */

/** One record as kcat read it. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Null when the record has no key. */
  readonly key: string | null;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

const FORMAT = "%t\\t%p\\t%o\\t%K\\t%S\\t%h\\n%k%s";

/**
 * Every record of `topic` with a timestamp at or after `sinceMs`, across all partitions, read to
 * the end of the topic. Needs `kcat` on the PATH.
 */
export async function readTopic(brokers: string, topic: string, sinceMs: number): Promise<ReadRecord[]> {
  // Right after a broker restart, partitions can answer "not leader" for a moment: retry for up
  // to 15 s before giving up.
  const deadline = Date.now() + 15_000;
  for (let attempt = 1;; attempt++) {
    let output;
    try {
      output = await new Deno.Command("kcat", {
        args: ["-b", brokers, "-C", "-t", topic, "-o", `s@${sinceMs}`, "-e", "-q", "-f", FORMAT],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      throw new Error(`kcat is needed to read topics back (apt-get install kcat): ${(error as Error).message}`);
    }
    if (output.success) return parse(output.stdout);
    const message = new TextDecoder().decode(output.stderr);
    if (Date.now() > deadline) throw new Error(`kcat failed on ${topic} (${attempt} attempts): ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function parse(bytes: Uint8Array): ReadRecord[] {
  const records: ReadRecord[] = [];
  const decoder = new TextDecoder();
  let at = 0;
  while (at < bytes.length) {
    const newline = bytes.indexOf(10, at);
    if (newline === -1) throw new Error("kcat output ended inside a record header");
    const [topic, partition, offset, keyLength, valueLength, headerText] = decoder.decode(bytes.subarray(at, newline))
      .split("\t");
    at = newline + 1;
    const keyLen = Number(keyLength);
    const valueLen = Math.max(0, Number(valueLength));
    const key = keyLen < 0 ? null : decoder.decode(bytes.subarray(at, at + keyLen));
    at += Math.max(0, keyLen);
    const value = bytes.slice(at, at + valueLen);
    at += valueLen;
    records.push({
      topic: topic!,
      partition: Number(partition),
      offset: Number(offset),
      key,
      value,
      headers: parseHeaders(headerText ?? ""),
    });
  }
  return records;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (text === "") return headers;
  // kcat prints headers as k=v pairs joined by commas; our header values hold no comma-then-key.
  for (const pair of text.split(/,(?=[a-z][a-z-]*=)/)) {
    const eq = pair.indexOf("=");
    if (eq > 0) headers[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return headers;
}
