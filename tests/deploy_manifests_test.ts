/**
 * The deploy files a platform team runs (`Containerfile`, `deploy/k8s/*.yaml`, rendered from the Helm
 * chart: tests/helm_chart_test.ts) agree with the edge's config table: ports, probe paths, variable
 * names and values, and a shutdown budget in which the edge finishes draining before Kubernetes kills it.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { CONFIG_TABLE } from "../src/main/config.ts";
import { Refusal } from "../src/main/config_parse.ts";

const root = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

// deno-lint-ignore no-explicit-any
type Manifest = Record<string, any>;

async function manifests(): Promise<Manifest[]> {
  const found: Manifest[] = [];
  for await (const entry of Deno.readDir(new URL("deploy/k8s/", root))) {
    if (!entry.name.endsWith(".yaml")) continue;
    for (const doc of parseAllDocuments(await read(`deploy/k8s/${entry.name}`))) {
      assert.deepEqual(doc.errors, [], `deploy/k8s/${entry.name} parses`);
      const manifest = doc.toJS();
      if (manifest !== null) found.push(manifest);
    }
  }
  return found;
}

function only(all: Manifest[], kind: string, component?: string): Manifest {
  const of = all.filter((m) =>
    m.kind === kind && (component === undefined || m.metadata.labels?.["app.kubernetes.io/component"] === component)
  );
  assert.equal(of.length, 1, `one ${kind}${component ? ` of component ${component}` : ""}`);
  return of[0]!;
}

const all = await manifests();
const deployment = only(all, "Deployment");
const pod = deployment.spec.template.spec;
const edge = pod.containers[0];
/** The edge's literal environment: name to value (variables from secrets and fields are left out). */
const env: Record<string, string> = Object.fromEntries(
  edge.env.filter((e: Manifest) => typeof e.value === "string").map((e: Manifest) => [e.name, e.value]),
);
/** What the edge reads for `field`: the manifest's value, else the table's default. */
const setting = (field: keyof typeof CONFIG_TABLE) => env[CONFIG_TABLE[field].env] ?? CONFIG_TABLE[field].default;
const clientPort = edge.ports.find((p: Manifest) => p.name === "client");

Deno.test("deploy/k8s: every variable the Deployment sets is one the edge reads, and its value parses", () => {
  const known = new Map(Object.values(CONFIG_TABLE).map((entry) => [entry.env, entry]));
  for (const variable of edge.env as Manifest[]) {
    const entry = known.get(variable.name);
    assert.ok(entry, `${variable.name} is in src/main/config_table.ts`);
    if (typeof variable.value !== "string") continue;
    const parsed = entry.parse(variable.value, variable.name);
    assert.ok(!(parsed instanceof Refusal), `${variable.name}=${variable.value}: ${JSON.stringify(parsed)}`);
  }
  assert.ok(edge.env.some((e: Manifest) => e.name === CONFIG_TABLE.jwtSecret.env), "the JWT secret is set");
});

Deno.test("deploy/k8s: the client container port is the edge's VELTRIX_PORT, and the Service targets it", () => {
  assert.equal(clientPort?.containerPort, Number(setting("port")));
  const service = only(all, "Service", "client");
  assert.ok(
    service.spec.ports.some((p: Manifest) => p.targetPort === "client" || p.targetPort === clientPort.containerPort),
  );
  assert.deepEqual(service.spec.selector, deployment.spec.template.metadata.labels);
});

Deno.test("deploy/k8s: liveness is /healthz and readiness /readyz, on the client port", () => {
  for (const [probe, path] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]] as const) {
    assert.equal(edge[probe].httpGet.path, path, probe);
    assert.ok([clientPort.name, clientPort.containerPort].includes(edge[probe].httpGet.port), `${probe} port`);
  }
});

Deno.test("deploy/k8s: the grace period covers preStop, the drain delay, the shutdown timeout and 2 s of closing", () => {
  const [sleep, seconds] = edge.lifecycle.preStop.exec.command;
  assert.equal(sleep, "sleep");
  const preStopS = Number(seconds);
  const edgeS = (Number(setting("drainDelayMs")) + Number(setting("shutdownTimeoutMs")) + 2_000) / 1000;
  assert.ok(
    pod.terminationGracePeriodSeconds > preStopS + edgeS,
    `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > ${preStopS} + ${edgeS}`,
  );
  const probe = edge.readinessProbe;
  assert.ok(
    preStopS + Number(setting("drainDelayMs")) / 1000 >= probe.periodSeconds * probe.failureThreshold,
    "the pod stays serving until a failed readiness check has had time to take it out",
  );
});

Deno.test("deploy/k8s: the PodDisruptionBudget covers the Deployment's pods and lets at most one go", () => {
  const budget = only(all, "PodDisruptionBudget");
  assert.deepEqual(budget.spec.selector.matchLabels, deployment.spec.template.metadata.labels);
  assert.deepEqual(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels);
  assert.equal(budget.spec.maxUnavailable, 1);
  assert.ok(deployment.spec.replicas > budget.spec.maxUnavailable);
});

Deno.test("Containerfile: CI's Deno, the edge task's permissions, and the config table's client port", async () => {
  const containerfile = await read("Containerfile");
  const ciDeno = (await read(".ci/run")).match(/DENO_VERSION=(\S+)/)?.[1];
  assert.match(containerfile, new RegExp(`^FROM \\S+:debian-${ciDeno?.replaceAll(".", "\\.")}$`, "m"));
  const task: string = JSON.parse(await read("deno.json")).tasks.edge;
  const entrypoint = JSON.parse(containerfile.match(/^ENTRYPOINT (\[.*\])$/m)![1]!) as string[];
  assert.equal(entrypoint.join(" "), task);
  assert.match(containerfile, new RegExp(`^EXPOSE ${CONFIG_TABLE.port.default}$`, "m"));
  assert.match(containerfile, new RegExp(`VELTRIX_PORT=${CONFIG_TABLE.port.default}\\b`));
  for (const name of containerfile.matchAll(/\b(VELTRIX_[A-Z_]+)=/g)) {
    assert.ok(Object.values(CONFIG_TABLE).some((entry) => entry.env === name[1]), `${name[1]} is a config variable`);
  }
});
