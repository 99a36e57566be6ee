/**
 * OAUTHBEARER against the secure dev broker's listener with Kafka's unsecured dev tokens (alg none,
 * checked for `exp`; the broker ends each session when its token expires): tokens from
 * KAFKA_OAUTH_TOKEN_COMMAND are fetched again before they expire, and writes go on past the first
 * token's expiry, for both clients.
 */
import assert from "node:assert/strict";
import { KAFKA_CLIENTS, kafkaAdapters } from "../src/kafka/mod.ts";
import { loadKafkaConnection } from "../src/main/kafka_security_source.ts";
import { readTopic } from "./support/kcat_reader.ts";
import { SECURE_PORTS, secureKafkaUp } from "../tools/kafka/secure_broker.ts";
import { quietLogger } from "./support/kafka_ready.ts";

await secureKafkaUp();

/** Seconds each token lives: short, so that the test sees several. */
const TOKEN_LIFE_S = 5;

/** A shell script that prints a fresh unsecured JWT for `veltrix`, valid TOKEN_LIFE_S, counting its runs in `count`. */
const TOKEN_SCRIPT = `
set -e
dir=$(dirname "$0")
echo run >> "$dir/count"
now=$(date +%s)
b64() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"none"}' | b64)
payload=$(printf '{"sub":"veltrix","iat":%s,"exp":%s}' "$now" "$((now + ${TOKEN_LIFE_S}))" | b64)
printf '%s.%s.\\n' "$header" "$payload"
`;

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] OAUTHBEARER: the token command runs again before each token expires, and writes go on past the first token's expiry`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "veltrix-oauth-" });
    await Deno.writeTextFile(`${dir}/token.sh`, TOKEN_SCRIPT);
    const expiries: number[] = [];
    const connection = await loadKafkaConnection(
      {
        KAFKA_BROKERS: `127.0.0.1:${SECURE_PORTS.oauth}`,
        KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
        KAFKA_SASL_MECHANISM: "OAUTHBEARER",
        KAFKA_OAUTH_TOKEN_COMMAND: `sh ${dir}/token.sh`,
      },
      undefined,
      { onTokenRefresh: (expiresAtMs) => expiries.push(expiresAtMs!) },
    );
    const adapter = (await kafkaAdapters(client, connection, quietLogger))(`veltrix-test-oauth-${client}`);
    const topic = `test.oauth-${client}-${crypto.randomUUID().slice(0, 8)}`;
    const since = Date.now() - 1_000;
    const written: string[] = [];
    try {
      await adapter.createTopics([{ topic, partitions: 1, replicationFactor: -1 }]);
      await adapter.connect();
      const firstExpiry = expiries[0]!;
      // Write a record every half second until one has landed well after the first token expired.
      for (let n = 0; written.length === 0 || Date.now() < firstExpiry + 2_000; n++) {
        const key = `k${n}`;
        await adapter.produce([{ topic, key, value: `v${n}`, headers: {} }], 10_000);
        written.push(key);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.ok(expiries.length >= 2, `the token was fetched again (${expiries.length} fetches)`);
      assert.ok(expiries.at(-1)! > firstExpiry, "a later token expires later");
      const runs = (await Deno.readTextFile(`${dir}/count`)).trim().split("\n").length;
      assert.equal(runs, expiries.length, "each fetch ran the command once");
    } finally {
      await adapter.close();
      await Deno.remove(dir, { recursive: true });
    }
    const read = await readTopic(`127.0.0.1:${SECURE_PORTS.internal}`, topic, since);
    assert.deepEqual(read.map((r) => r.key), written, "every write is in the topic, in order");
  });
}
