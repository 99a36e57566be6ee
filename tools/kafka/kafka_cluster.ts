/**
 * `deno task kafka up|down|status --nodes N`: a local KRaft cluster of N combined broker+controller
 * processes on 127.0.0.1, each with its own ports (`cluster_layout.ts`), data folder, log and pid
 * file under `$VELTRIX_KAFKA_HOME/cluster-N/node-I/`. Data survives `down`/`up` and node restarts:
 * that is what the cluster fault tests exercise. `down` stops only the nodes `up` started.
 *
 * Each node's heap is `$VELTRIX_KAFKA_NODE_HEAP`, by default 512 MiB: three nodes, their metaspace
 * and page cache fit in a few GiB beside the edges and the test clients.
 *
 * @module
 */
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { clusterBootstrap, type ClusterNode, clusterNodes, nodeProperties } from "./cluster_layout.ts";
import { leaderCounts, readMetadata, underReplicated } from "./cluster_metadata.ts";
import { alive, exists, readPid, run, startDetached, stopPid, tail } from "../dev/detached_process.ts";
import { ensureJars, javaArgs, KAFKA_TOOLS_DIR, kafkaHome, randomClusterId } from "./kafka_jvm.ts";

/** The files of one node. */
export function nodePaths(n: number, id: number) {
  const dir = `${kafkaHome()}/cluster-${n}/node-${id}`;
  return {
    dir,
    data: `${dir}/data`,
    config: `${dir}/server.properties`,
    pid: `${dir}/node.pid`,
    log: `${dir}/node.log`,
  };
}

const nodeHeap = () => Deno.env.get("VELTRIX_KAFKA_NODE_HEAP") ?? "512m";

/** Writes every node's config and formats its storage with one shared cluster id, once. */
async function ensureFormatted(n: number): Promise<void> {
  const template = await Deno.readTextFile(`${KAFKA_TOOLS_DIR}cluster.properties`);
  const idFile = `${kafkaHome()}/cluster-${n}/cluster.id`;
  await Deno.mkdir(`${kafkaHome()}/cluster-${n}`, { recursive: true });
  if (!await exists(idFile)) await Deno.writeTextFile(idFile, await randomClusterId());
  const clusterId = (await Deno.readTextFile(idFile)).trim();
  await Promise.all(
    clusterNodes(n).map(async (node) => {
      const p = nodePaths(n, node.id);
      await Deno.mkdir(p.data, { recursive: true });
      await Deno.writeTextFile(p.config, nodeProperties(template, n, node, p.data));
      if (await exists(`${p.data}/meta.properties`)) return;
      await run("java", javaArgs("kafka.tools.StorageTool", ["format", "-t", clusterId, "-c", p.config]), "format");
    }),
  );
}

/** The pid of node `id` when it runs. */
export async function nodePid(n: number, id: number): Promise<number | undefined> {
  const pid = await readPid(nodePaths(n, id).pid);
  return pid !== undefined && alive(pid) ? pid : undefined;
}

/** Starts node `id` unless it runs; does not wait for it. */
export async function startNode(n: number, id: number): Promise<void> {
  if (await nodePid(n, id) !== undefined) return;
  const p = nodePaths(n, id);
  const pid = await startDetached(["java", ...javaArgs("kafka.Kafka", [p.config], nodeHeap())], p.log, p.pid);
  console.error(`kafka: started node ${id} pid ${pid}, log ${p.log}`);
}

/** Stops node `id` with `signal` (SIGTERM: a controlled shutdown; SIGKILL: `kill -9`) and waits until it is gone. */
export async function stopNode(n: number, id: number, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
  const pid = await nodePid(n, id);
  if (pid === undefined) return;
  await stopPid(pid, signal);
  console.error(`kafka: stopped node ${id} (pid ${pid}, ${signal})`);
}

/** Waits until node `id` answers metadata requests on its own address. */
export async function waitNodeAnswers(n: number, node: ClusterNode, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await clusterAnswers([node.address], 1_000)) {
    const pid = await readPid(nodePaths(n, node.id).pid);
    if (pid !== undefined && !alive(pid)) {
      throw new Error(
        `kafka: node ${node.id} exited during start. Last log lines:\n${await tail(nodePaths(n, node.id).log)}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`kafka: node ${node.id} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until the metadata lists all `n` brokers and no partition lacks an in-sync replica. */
export async function waitInSync(n: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await readMetadata(clusterBootstrap(n)).catch(() => undefined);
    const lagging = metadata ? underReplicated(metadata).length : -1;
    if (metadata && metadata.brokers.length === n && lagging === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`kafka: cluster not in sync after ${timeoutMs} ms (${lagging} partitions under-replicated)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts every node of an `n`-node cluster that is not running (resolving the jars and formatting
 * storage the first time), and resolves once every node answers and all `n` are registered.
 */
export async function clusterUp(n: number, timeoutMs = 180_000): Promise<{ bootstrap: string; startMs: number }> {
  const started = performance.now();
  const nodes = clusterNodes(n);
  const answering = await Promise.all(nodes.map((node) => clusterAnswers([node.address], 1_000)));
  if (answering.every(Boolean)) {
    console.error(`kafka: all ${n} nodes already answer on ${clusterBootstrap(n)}; nothing to do`);
  } else {
    await ensureJars();
    await ensureFormatted(n);
    for (const node of nodes) await startNode(n, node.id);
  }
  await Promise.all(nodes.map((node) => waitNodeAnswers(n, node, timeoutMs)));
  const deadline = Date.now() + timeoutMs;
  while ((await readMetadata(clusterBootstrap(n)).catch(() => undefined))?.brokers.length !== n) {
    if (Date.now() > deadline) throw new Error(`kafka: not all ${n} brokers registered after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const startMs = Math.round(performance.now() - started);
  console.error(`kafka: ${n}-node cluster ready on ${clusterBootstrap(n)} in ${startMs} ms`);
  return { bootstrap: clusterBootstrap(n), startMs };
}

/** Stops every node `clusterUp` started (controlled shutdowns, one at a time, the last controller last). */
export async function clusterDown(n: number): Promise<void> {
  const running = [];
  for (const node of clusterNodes(n)) if (await nodePid(n, node.id) !== undefined) running.push(node.id);
  if (running.length === 0) console.error(`kafka: no node of the ${n}-node cluster started by this script is running`);
  // In parallel: a node that waits for a quorum that the others have already left would stall.
  await Promise.all(running.map((id) => stopNode(n, id, "SIGTERM")));
}

/** `status`: each node, the controller quorum and under-replicated partitions; `up` when every node answers. */
export async function clusterStatusLines(n: number): Promise<{ lines: string[]; up: boolean }> {
  const nodes = clusterNodes(n);
  const metadata = await readMetadata(clusterBootstrap(n)).catch(() => undefined);
  const leads = new Map(metadata ? leaderCounts(metadata) : []);
  const lines: string[] = [];
  let up = true;
  for (const node of nodes) {
    const answers = await clusterAnswers([node.address], 1_000);
    up &&= answers;
    const pid = await nodePid(n, node.id);
    lines.push(
      `node ${node.id}: ${answers ? "up" : "down"} ${node.address} controller 127.0.0.1:${node.controllerPort}` +
        `${pid ? ` pid ${pid}` : ""} leads ${leads.get(node.id) ?? 0} partitions  log ${nodePaths(n, node.id).log}`,
    );
  }
  const quorum = await quorumStatus(clusterBootstrap(n));
  lines.push(`quorum: ${quorum}`);
  const lagging = metadata ? underReplicated(metadata) : undefined;
  lines.push(
    lagging === undefined
      ? "under-replicated partitions: unknown (no metadata)"
      : `under-replicated partitions: ${lagging.length}${
        lagging.length ? ` (${lagging.slice(0, 10).map((p) => `${p.topic}/${p.partition}`).join(", ")})` : ""
      }`,
  );
  lines.push(`KAFKA_BROKERS=${clusterBootstrap(n)}`);
  return { lines, up };
}

/** The controller quorum's leader, voters and lag, from `kafka-metadata-quorum describe --status`. */
async function quorumStatus(bootstrap: string): Promise<string> {
  try {
    const out = await run(
      "java",
      javaArgs("org.apache.kafka.tools.MetadataQuorumCommand", [
        "--bootstrap-server",
        bootstrap,
        "describe",
        "--status",
      ]),
      "metadata quorum",
    );
    const field = (name: string) => out.match(new RegExp(`^${name}:\\s*(.*)$`, "m"))?.[1]?.trim() ?? "?";
    const voters = [...field("CurrentVoters").matchAll(/"id":\s*(\d+)/g)].map((m) => m[1]).join(",");
    return `leader ${field("LeaderId")} epoch ${field("LeaderEpoch")} voters ${voters || field("CurrentVoters")} ` +
      `high watermark ${field("HighWatermark")} max follower lag ${field("MaxFollowerLag")}`;
  } catch (error) {
    return `unknown (${(error as Error).message.split("\n")[0]})`;
  }
}
