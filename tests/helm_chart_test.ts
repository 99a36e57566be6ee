/**
 * The Helm chart `deploy/helm/veltrix/`: `helm lint` passes, `helm template` renders with the default
 * values and with values that set everything, every config-table setting can be set, every credential
 * comes from a Secret reference (never inline), and `deploy/k8s/veltrix.yaml` is the chart rendered
 * with its defaults (one source). Helm is built by `deno task helm ensure` (test_env.ts, .ci/run).
 */
import assert from "node:assert/strict";
import { parseAllDocuments, stringify } from "yaml";
import { CONFIG_TABLE, type ConfigEntry } from "../src/main/config.ts";
import { Refusal } from "../src/main/config_parse.ts";
import { CREDENTIAL_NAME } from "../tools/helm/chart_values.ts";
import { CHART_DIR, helm, renderChart, RENDERED_MANIFESTS, renderedManifests } from "../tools/helm/helm.ts";

// deno-lint-ignore no-explicit-any
type Manifest = Record<string, any>;

const entries = Object.values(CONFIG_TABLE) as ConfigEntry<unknown>[];
const plain = entries.filter((entry) => !entry.secret);
const credentials = entries.filter((entry) => entry.secret);

function objects(rendered: string): Manifest[] {
  const docs = parseAllDocuments(rendered);
  for (const doc of docs) assert.deepEqual(doc.errors, [], "the rendered chart parses");
  return docs.map((doc) => doc.toJS()).filter((m) => m !== null);
}

function one(all: Manifest[], kind: string, component?: string): Manifest {
  const of = all.filter((m) =>
    m.kind === kind && (component === undefined || m.metadata.labels?.["app.kubernetes.io/component"] === component)
  );
  assert.equal(of.length, 1, `one ${kind} ${component ?? ""}`);
  return of[0]!;
}

const edgeOf = (all: Manifest[]) => one(all, "Deployment").spec.template.spec.containers[0];

/** A value of `entry` that its parser takes and that is not a placeholder: its default, else a sample. */
function sampleValue(entry: ConfigEntry<unknown>): string {
  const candidates = [
    entry.default,
    "7",
    "100",
    "2000",
    "true",
    "127.0.0.1:9092",
    "PLAIN",
    "otlp",
    "/etc/veltrix/x",
    "v",
    "[]",
  ];
  const found = candidates.find((raw) => !/^[(<]/.test(raw) && !(entry.parse(raw, entry.env) instanceof Refusal));
  assert.ok(found !== undefined, `a sample value for ${entry.env}`);
  return found;
}

async function withValues<T>(values: Record<string, unknown>, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-test-helm-" });
  try {
    await Deno.writeTextFile(`${dir}/values.yaml`, stringify(values));
    return await use(`${dir}/values.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Values that set every setting, every credential, and every optional object. */
const fullValues = {
  config: Object.fromEntries(plain.map((entry) => [entry.env, sampleValue(entry)])),
  secrets: Object.fromEntries(credentials.map((entry) => [entry.env, entry.env.toLowerCase().replaceAll("_", "-")])),
  existingSecret: "edge-credentials",
  secretMounts: [{ secretName: "kafka-tls", mountPath: "/etc/veltrix/kafka-tls" }],
  autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 9, targetCPUUtilizationPercentage: 60 },
  serviceMonitor: { enabled: true, interval: "10s", labels: { release: "prometheus" } },
};

Deno.test("helm lint --strict passes on the chart", async () => {
  const out = await helm(["lint", "--strict", CHART_DIR]);
  assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

Deno.test("deploy/k8s/veltrix.yaml is the chart rendered with its default values (deno task helm render)", async () => {
  assert.equal(await Deno.readTextFile(RENDERED_MANIFESTS), await renderedManifests());
});

Deno.test("default values: Deployment, client and admin Services, PDB; no HPA or ServiceMonitor", async () => {
  const all = objects(await renderChart());
  assert.deepEqual(all.map((m) => m.kind).sort(), ["Deployment", "PodDisruptionBudget", "Service", "Service"]);
  const deployment = one(all, "Deployment");
  const labels = deployment.spec.template.metadata.labels;
  assert.equal(deployment.spec.replicas, 3);
  const admin = one(all, "Service", "admin");
  assert.equal(admin.spec.type, "ClusterIP");
  assert.deepEqual(admin.spec.selector, labels);
  assert.equal(admin.spec.ports[0].targetPort, "admin");
  const edge = edgeOf(all);
  const adminPort = edge.ports.find((p: Manifest) => p.name === "admin");
  const env = (name: string) => edge.env.find((e: Manifest) => e.name === name);
  assert.equal(String(adminPort.containerPort), env(CONFIG_TABLE.adminPort.env).value);
  assert.equal(env(CONFIG_TABLE.adminHost.env).value, "0.0.0.0", "the admin Service reaches the pod's address");
  assert.ok(env(CONFIG_TABLE.opsToken.env).valueFrom.secretKeyRef, "so the ops token guards it");
});

Deno.test("every credential in the config table comes from a Secret reference, never a value", async () => {
  for (const entry of entries) {
    if (CREDENTIAL_NAME.test(entry.env)) assert.ok(entry.secret, `${entry.env} is marked secret in the config table`);
  }
  for (const rendered of [await renderChart(), await withValues(fullValues, (file) => renderChart([file]))]) {
    for (const variable of edgeOf(objects(rendered)).env as Manifest[]) {
      const entry = entries.find((e) => e.env === variable.name);
      if (!entry?.secret) continue;
      assert.equal(variable.value, undefined, `${variable.name} has no inline value`);
      assert.ok(variable.valueFrom.secretKeyRef.name && variable.valueFrom.secretKeyRef.key, variable.name);
    }
  }
  await assert.rejects(
    renderChart([], ["--set", `config.${CONFIG_TABLE.jwtSecret.env}=inline-secret-value`]),
    /is a credential: name its key of existingSecret/,
  );
});

Deno.test("full values: every config-table setting is set, with the values given, and each parses", async () => {
  const all = objects(await withValues(fullValues, (file) => renderChart([file])));
  const edge = edgeOf(all);
  const byName = new Map<string, Manifest>(edge.env.map((e: Manifest) => [e.name, e]));
  assert.equal(byName.size, edge.env.length, "no variable is set twice");
  for (const entry of plain) {
    const value: string = byName.get(entry.env)?.value;
    assert.equal(value, fullValues.config[entry.env], entry.env);
    assert.ok(!(entry.parse(value, entry.env) instanceof Refusal), entry.env);
  }
  for (const entry of credentials) {
    assert.deepEqual(byName.get(entry.env)?.valueFrom.secretKeyRef, {
      name: "edge-credentials",
      key: fullValues.secrets[entry.env],
    });
  }
  assert.equal(byName.size, entries.length, "nothing but the config table's variables");
  const deployment = one(all, "Deployment");
  assert.equal(deployment.spec.replicas, undefined, "the HPA owns the replica count");
  const pod = deployment.spec.template.spec;
  assert.deepEqual(pod.volumes.find((v: Manifest) => v.secret)?.secret, { secretName: "kafka-tls" });
  assert.ok(edge.volumeMounts.some((m: Manifest) => m.mountPath === "/etc/veltrix/kafka-tls" && m.readOnly));
  const hpa = one(all, "HorizontalPodAutoscaler");
  assert.deepEqual(hpa.spec.scaleTargetRef, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: deployment.metadata.name,
  });
  assert.equal(hpa.spec.maxReplicas, 9);
  const monitor = one(all, "ServiceMonitor");
  assert.equal(monitor.metadata.labels.release, "prometheus");
  const adminService = one(all, "Service", "admin");
  for (const [label, value] of Object.entries(monitor.spec.selector.matchLabels)) {
    assert.equal(adminService.metadata.labels[label], value, `the ServiceMonitor selects the admin Service (${label})`);
  }
  assert.equal(one(all, "Service", "client").metadata.labels["app.kubernetes.io/component"], "client");

  assert.deepEqual(monitor.spec.endpoints[0].authorization.credentials, {
    name: "edge-credentials",
    key: fullValues.secrets[CONFIG_TABLE.opsToken.env],
  });
});
