/**
 * End to end: a real Prometheus scrapes a real edge with `deploy/prometheus/veltrix-rules.yaml`
 * loaded (every `for:` shortened to 2 s in a test copy; scrape and evaluation every second). The
 * edge writes to a broker of this test's own (not the shared dev broker): when that broker is
 * stopped, VeltrixKafkaNotAcceptingWrites fires in `/api/v1/alerts`; once it is back and the held
 * event is acked, the alert resolves.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { startSingleBroker } from "../tools/kafka/single_broker.ts";
import { freePort, startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { pollUntil, type PromResponse, startPrometheus } from "./support/prometheus_server.ts";
import { playerToken } from "./support/tokens.ts";

const RULES = new URL("../deploy/prometheus/veltrix-rules.yaml", import.meta.url);
const ALERT = "VeltrixKafkaNotAcceptingWrites";

/** The rules with every `for:` set to `holdFor`, written to `path`. */
async function shortenedRules(path: string, holdFor: string): Promise<void> {
  const rules = parse(await Deno.readTextFile(RULES));
  for (const group of rules.groups) {
    for (const rule of group.rules) if (rule.for !== undefined) rule.for = holdFor;
  }
  await Deno.writeTextFile(path, stringify(rules));
}

// deno-lint-ignore no-explicit-any
type Alert = Record<string, any>;
const ours = (answer: PromResponse): Alert[] =>
  (answer.data?.alerts ?? []).filter((alert: Alert) => alert.labels.alertname === ALERT);

Deno.test("prometheus: the Kafka alert fires while the edge's broker is down and resolves once it is back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-test-alerts-" });
  const cleanups: (() => Promise<unknown>)[] = [() => Deno.remove(dir, { recursive: true })];
  try {
    const broker = await startSingleBroker({ port: freePort(), controllerPort: freePort(), dir: `${dir}/broker` });
    cleanups.unshift(() => broker.stop("SIGTERM"));
    const edge = await startEdgeProcess({ KAFKA_BROKERS: broker.bootstrap, VELTRIX_PRODUCE_TIMEOUT_MS: "2000" });
    cleanups.unshift(() => edge.stop());
    const rules = `${dir}/veltrix-rules.yaml`;
    await shortenedRules(rules, "2s");
    const prometheus = await startPrometheus([`127.0.0.1:${edge.adminPort}`], [rules]);
    cleanups.unshift(() => prometheus.stop());

    const up = 'min(veltrix_ready_condition{job="veltrix",condition="kafka accepting writes"})';
    await pollUntil(
      async () => (await prometheus.query(up)).data?.result?.[0]?.value?.[1] === "1" || undefined,
      30_000,
      "first scrape",
    );
    assert.deepEqual(ours(await prometheus.alerts()), [], "no Kafka alert while the broker runs");

    const client = await IngestClient.connect(edge.ingestUrl, await playerToken("alert-player"));
    cleanups.unshift(() => client.close());
    client.sendJson([{ id: "before-outage", type: "treasure.collected", data: { gold: 1 } }]);
    await client.waitForAcks(["before-outage"]);

    await broker.stop("SIGKILL");
    // An event taken while Kafka is gone: the edge holds it and retries its write.
    client.sendJson([{ id: "during-outage", type: "treasure.collected", data: { gold: 2 } }]);
    const firing = await pollUntil(
      async () => {
        const answer = await prometheus.alerts();
        return ours(answer).some((alert) => alert.state === "firing") ? answer : undefined;
      },
      90_000,
      `${ALERT} firing`,
    );
    console.log(`/api/v1/alerts while the broker is down:\n${JSON.stringify(firing, null, 2)}`);
    const alert = ours(firing)[0]!;
    assert.equal(alert.labels.severity, "page");
    assert.equal(alert.labels.instance, `127.0.0.1:${edge.adminPort}`);
    assert.equal(alert.value, "0e+00");
    assert.equal(client.acked.has("during-outage"), false, "nothing is acked while Kafka is down");

    await broker.restart();
    await client.waitForAcks(["during-outage"], 90_000);
    const resolved = await pollUntil(
      async () => {
        const answer = await prometheus.alerts();
        return ours(answer).length === 0 ? answer : undefined;
      },
      60_000,
      `${ALERT} resolved`,
    );
    console.log(`/api/v1/alerts after the broker is back:\n${JSON.stringify(resolved, null, 2)}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
});
