/**
 * Edges against the secure dev broker (`deno task kafka up --security sasl_ssl`): one acks events
 * over SASL_SSL with SCRAM-SHA-512 and Kafka's own console consumer reads them back with the same
 * settings, with the password nowhere in what the edge says; and each bad credential stops the
 * edge at start, exit code 2, with its own error code and a message naming the cause. `deno task
 * tail` with the same settings prints the event too.
 */
import assert from "node:assert/strict";
import { KAFKA_CLIENTS } from "../src/kafka/mod.ts";
import { SECURE_PORTS, secureEnvironments, secureKafkaUp, securePaths } from "../tools/kafka/secure_broker.ts";
import { consoleConsume } from "./support/console_consumer.ts";
import { edgeExit } from "./support/edge_exit.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";

await secureKafkaUp();
const { scram } = await secureEnvironments();
const certs = securePaths().certs;
const root = new URL("../", import.meta.url).pathname;

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] an edge acks events over SASL_SSL (SCRAM-SHA-512), Kafka's console consumer reads them back with the same settings, and the password is in no log line, /metrics or /v1/edge`, async () => {
    const edge = await startEdgeProcess({ ...scram, VELTRIX_KAFKA_CLIENT: client, VELTRIX_LOG_LEVEL: "debug" });
    const id = `sec-${client}-${crypto.randomUUID()}`;
    try {
      const player = await IngestClient.connect(edge.ingestUrl, await playerToken("secure-player"));
      player.sendJson([{ id, type: "treasure.collected", data: { gold: 40 } }]);
      await player.waitFor(() => player.acked.has(id) || player.rejected.has(id));
      assert.ok(player.acked.has(id), JSON.stringify(player.replies));
      await player.close();
      const pages = await Promise.all(["/metrics", "/v1/edge", "/readyz"].map(async (path) => {
        const response = await fetch(`http://127.0.0.1:${edge.adminPort}${path}`);
        return await response.text();
      }));
      for (const page of pages) assert.ok(!page.includes(scram.KAFKA_SASL_PASSWORD!), "no page shows the password");
    } finally {
      await edge.stop();
    }
    const read = await consoleConsume(scram, "game.treasure");
    assert.ok(read.some((line) => line.includes(`veltrix-event-id:${id}`)), `${id} read back: ${read.slice(-3)}`);
    const tailed = await tailFirstLine(scram, ["game.treasure", "--from-beginning", "--id", id, "--json"]);
    assert.equal(JSON.parse(tailed).id, id, "deno task tail prints it over SASL_SSL");
    const said = JSON.stringify(edge.logs);
    assert.ok(said.includes("edge ready"), "the edge logged (at debug) what it did");
    assert.ok(!said.includes(scram.KAFKA_SASL_PASSWORD!), "the password is in no log line");
  });
}

/** Runs `deno task tail ARGS` with `env`, and gives the first line it prints (then stops it). */
async function tailFirstLine(env: Record<string, string>, args: string[]): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "tail", ...args],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
  let first = "";
  try {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      first += chunk;
      if (first.includes("\n")) break;
    }
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  }
  assert.ok(first.includes("\n"), `tail printed nothing: ${await stderr}`);
  await stderr;
  return first.slice(0, first.indexOf("\n"));
}

const BAD: readonly { name: string; env: Record<string, string>; code: string; says: RegExp; saysNot?: RegExp }[] = [
  {
    name: "a wrong SCRAM password",
    env: { ...scram, KAFKA_SASL_PASSWORD: "not-the-password" },
    code: "KAFKA_AUTH_FAILED",
    says: /Kafka authentication failed/,
  },
  {
    name: "a broker certificate from a CA not in KAFKA_SSL_CA_FILE",
    env: { ...scram, KAFKA_SSL_CA_FILE: certs.otherCa },
    code: "KAFKA_TLS_FAILED",
    says: /Kafka TLS handshake failed: .*certificate/,
    saysNot: /expired/,
  },
  {
    name: "an expired broker certificate",
    env: {
      KAFKA_BROKERS: `127.0.0.1:${SECURE_PORTS.expired}`,
      KAFKA_SECURITY_PROTOCOL: "SSL",
      KAFKA_SSL_CA_FILE: certs.ca,
    },
    code: "KAFKA_TLS_FAILED",
    says: new RegExp(
      `Kafka TLS handshake failed: the certificate of broker 127\\.0\\.0\\.1:${SECURE_PORTS.expired} expired on 2020-01-02T`,
    ),
  },
  {
    name: "a broker certificate that names another host",
    env: { ...scram, KAFKA_SSL_SERVER_NAME: "kafka.example.com" },
    code: "KAFKA_TLS_FAILED",
    says: /Kafka TLS handshake failed: .*kafka\.example\.com/,
  },
  {
    name: "a token command that fails",
    env: {
      KAFKA_BROKERS: `127.0.0.1:${SECURE_PORTS.oauth}`,
      KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
      KAFKA_SASL_MECHANISM: "OAUTHBEARER",
      KAFKA_OAUTH_TOKEN_COMMAND: "echo 'token service unreachable' >&2; exit 1",
    },
    code: "KAFKA_AUTH_FAILED",
    says: /KAFKA_OAUTH_TOKEN_COMMAND exited 1: token service unreachable/,
  },
];

for (const client of KAFKA_CLIENTS) {
  for (const bad of BAD) {
    Deno.test(`[${client}] ${bad.name} stops the edge at start: exit 2, ${bad.code}, the cause named`, async () => {
      const { code, said } = await edgeExit({ ...bad.env, VELTRIX_KAFKA_CLIENT: client });
      assert.equal(code, 2, said.slice(-2000));
      assert.match(said, new RegExp(`veltrix: ${bad.code}: `), said.slice(-2000));
      assert.match(said, bad.says);
      if (bad.saysNot) assert.doesNotMatch(said, bad.saysNot);
      assert.ok(!said.includes('"edge ready"'), "the edge never said it was ready");
      if (bad.env.KAFKA_SASL_PASSWORD) assert.ok(!said.includes(bad.env.KAFKA_SASL_PASSWORD), "no password shown");
    });
  }
}
