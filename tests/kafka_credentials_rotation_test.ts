/**
 * Credentials that go bad while an edge runs (its SCRAM user's password changed on the cluster)
 * show as not ready, naming the cause, while the edge holds the events it took and retries them;
 * once the cluster takes the credentials again, every event is acked and the edge is ready again.
 * Against the secure dev broker's listener with 5 s sessions, so that a change reaches the
 * edge's open connections within seconds.
 */
import assert from "node:assert/strict";
import { KAFKA_CLIENTS } from "../src/kafka/mod.ts";
import { SECURE_PORTS, secureEnvironments, secureKafkaUp } from "../tools/kafka/secure_broker.ts";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { runKafkaTool } from "./support/kafka_tool.ts";
import { playerToken } from "./support/tokens.ts";

await secureKafkaUp();
const { scram } = await secureEnvironments();
const CREDENTIALS = "kafka accepting the edge's credentials";

/** Sets (or, with no password, deletes) the SCRAM-SHA-512 credential of `user`, with Kafka's own ConfigCommand. */
async function scramCredential(user: string, password?: string): Promise<void> {
  const change = password === undefined
    ? ["--delete-config", "SCRAM-SHA-512"]
    : ["--add-config", `SCRAM-SHA-512=[iterations=4096,password=${password}]`];
  const args = ["--alter", ...change, "--entity-type", "users", "--entity-name", user];
  const output = await runKafkaTool("ConfigCommand", `127.0.0.1:${SECURE_PORTS.internal}`, args);
  assert.ok(output.success, `ConfigCommand failed: ${output.stderr}`);
}

/** The edge's readiness checks, from `/readyz`. */
async function readiness(port: number): Promise<Record<string, boolean>> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return (await response.json()).checks ?? {};
}

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] a password changed under a running edge: not ready with the cause, events held and acked once the credentials work again`, async () => {
    const user = `rotate-${client}-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    await scramCredential(user, password);
    const edge = await startEdgeProcess({
      ...scram,
      KAFKA_BROKERS: `127.0.0.1:${SECURE_PORTS.rotate}`,
      KAFKA_SASL_USERNAME: user,
      KAFKA_SASL_PASSWORD: password,
      VELTRIX_KAFKA_CLIENT: client,
      VELTRIX_PRODUCE_TIMEOUT_MS: "5000",
    });
    const player = await IngestClient.connect(edge.ingestUrl, await playerToken(`rotate-player-${client}`));
    const sent: string[] = [];
    try {
      await scramCredential(user); // the cluster forgets the password the edge has
      // Send an event every half second until the edge says Kafka refuses its credentials.
      const deadline = Date.now() + 60_000;
      while ((await readiness(edge.port))[CREDENTIALS] !== false) {
        assert.ok(Date.now() < deadline, `never not ready: ${JSON.stringify(edge.logs.slice(-5))}`);
        const id = `rot-${client}-${sent.length}-${crypto.randomUUID()}`;
        player.sendJson([{ id, type: "treasure.collected", data: { n: sent.length } }]);
        sent.push(id);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const response = await fetch(`http://127.0.0.1:${edge.port}/readyz`);
      assert.equal(response.status, 503);
      await response.body?.cancel();
      const pending = sent.filter((id) => !player.acked.has(id));
      assert.ok(pending.length > 0, "some events wait for Kafka");
      assert.ok(pending.every((id) => !player.rejected.has(id)), "none is rejected");
      const said = edge.logs.find((l) => l.msg === "kafka refused the edge's security; not ready, writes retried");
      assert.equal(said?.cause, "authentication failed", JSON.stringify(edge.logs.slice(-5)));

      await scramCredential(user, password); // the password works again
      await player.waitFor(() => sent.every((id) => player.acked.has(id)), 60_000, "every event acked");
      assert.equal((await readiness(edge.port))[CREDENTIALS], true);
      assert.ok(!JSON.stringify(edge.logs).includes(password), "the password is in no log line");
    } finally {
      await player.close();
      await edge.stop();
    }
  });
}
