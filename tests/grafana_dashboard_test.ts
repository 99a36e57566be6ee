/**
 * The Grafana dashboard `deploy/grafana/veltrix.json` cannot drift from the metrics: a real
 * Prometheus scrapes a running edge under a little load (acked events and a reject, and two
 * tenants the route map lists: one refused over its quota, one within it), and every panel's
 * query, and every template variable's, must run without error and return at least one series;
 * the Tenants row's queries must return a series for each of the two tenants. Grafana itself is
 * not needed: its variables are put in as Grafana would with "All" selected (`$job`,
 * `$instance` and `$tenant` to `.+`, `$__rate_interval` to `1m`).
 */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { pollUntil, startPrometheus } from "./support/prometheus_server.ts";
import { playerToken } from "./support/tokens.ts";
import { makeSigningKey } from "../src/core/updates/testing/route_signing.ts";
import { pushTenantMap, tenantEdgeEnv, TenantTraffic } from "./support/tenant_traffic.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;
const dashboard: Json = JSON.parse(
  await Deno.readTextFile(new URL("../deploy/grafana/veltrix.json", import.meta.url)),
);

/** Every panel, rows' own panels included. */
function allPanels(panels: Json[]): Json[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** A query as Grafana would send it with every variable at "All". */
function substitute(expr: string): string {
  return expr.replaceAll("$__rate_interval", "1m").replaceAll("$job", ".+").replaceAll("$instance", ".+")
    .replaceAll("$tenant", ".+");
}

/** `label_values(SELECTOR, LABEL)` as a PromQL query that returns one series per value. */
function labelValuesQuery(query: string): string {
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
  assert.ok(match, `variable query ${query} is label_values(selector, label)`);
  return `count by (${match[2]}) (${match[1]})`;
}

const queries: { what: string; expr: string; perTenant?: boolean }[] = [
  ...allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target: Json) => ({
      what: `panel "${panel.title}" ${target.refId}`,
      expr: target.expr,
      perTenant: panel.title.endsWith(" per tenant"),
    }))
  ),
  ...dashboard.templating.list.filter((v: Json) => v.type === "query").map((v: Json) => ({
    what: `variable $${v.name}`,
    expr: labelValuesQuery(v.query.query),
  })),
].map((query) => ({ ...query, expr: substitute(query.expr) }));

Deno.test("grafana dashboard: it has the panels the ops pack promises, a row per edge, and uses its data source", () => {
  const titles = allPanels(dashboard.panels).map((panel) => panel.title);
  for (
    const title of [
      "Events in and acked",
      "Ack latency",
      "Rejects by code",
      "Connections",
      "In-flight events",
      "Kafka write latency",
      "Kafka write errors",
      "Route-map version per edge",
      "Event loop delay",
      "Memory",
      "Events admitted and refused per tenant",
      "Bytes per tenant",
      "Connections per tenant",
      "Ack latency p99 per tenant",
    ]
  ) assert.ok(titles.includes(title), `a panel "${title}"`);
  assert.ok(dashboard.panels.some((panel: Json) => panel.type === "row" && panel.repeat === "instance"));
  assert.ok(dashboard.panels.some((panel: Json) => panel.type === "row" && panel.title === "Tenants"));
  assert.ok(dashboard.templating.list.some((v: Json) => v.name === "tenant" && v.includeAll && v.multi));
  for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== "row")) {
    assert.equal(panel.datasource.uid, "${datasource}", `${panel.title} uses the dashboard's data source`);
    assert.ok(panel.targets.length > 0, `${panel.title} has a query`);
  }
});

Deno.test("grafana dashboard: every query returns series from a live edge under a little load", async () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const ops = await makeSigningKey("ops-grafana");
    const edge = await startEdgeProcess(tenantEdgeEnv(ops));
    cleanups.unshift(() => edge.stop());
    await pushTenantMap(`http://127.0.0.1:${edge.adminPort}`, ops);
    const prometheus = await startPrometheus([`127.0.0.1:${edge.adminPort}`]);
    cleanups.unshift(() => prometheus.stop());
    const client = await IngestClient.connect(edge.ingestUrl, await playerToken("dashboard-player"));
    cleanups.unshift(() => client.close());

    // A little load for as long as the queries need: a few acked events every 200 ms, and a reject.
    let sent = 0;
    const load = setInterval(() => {
      const batch = Array.from({ length: 5 }, () => ({ id: `dash-${sent++}`, type: "treasure.collected", data: {} }));
      client.sendJson([...batch, { id: "i".repeat(65), type: "treasure.collected" }]);
    }, 200);
    cleanups.unshift(() => Promise.resolve(clearInterval(load)));
    await client.waitFor(() => client.acked.size > 0 && client.rejected.size > 0, 30_000, "an ack and a reject");
    // Two tenants: kart refused over its quota all along, chess within its own.
    const tenants = await TenantTraffic.start(edge.ingestUrl);
    cleanups.unshift(() => tenants.stop());
    await tenants.flowing();

    const answers: string[] = [];
    for (const { what, expr, perTenant } of queries) {
      // deno-lint-ignore no-explicit-any
      const tenantsIn = (result: any[]) => new Set(result.map((series) => series.metric.tenant));
      const answer = await pollUntil(
        async () => {
          const response = await prometheus.query(expr);
          assert.equal(response.status, "success", `${what}: ${expr} fails: ${response.error}`);
          const result = response.data.result;
          if (perTenant) return tenantsIn(result).has("kart") && tenantsIn(result).has("chess") ? response : undefined;
          return result.length > 0 ? response : undefined;
        },
        30_000,
        `${what} to return series: ${expr}`,
      );
      answers.push(`${what}: ${answer.data.result.length} series`);
    }
    console.log(answers.join("\n"));
    assert.equal(answers.length, queries.length);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
});
