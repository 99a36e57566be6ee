/**
 * What `deno task kafka up` started and still runs: the single dev broker, N-node clusters, or
 * both. `status` and `down` without `--nodes` act on these, so that they see and name a cluster
 * that `up --nodes 3` started, not only the dev broker.
 *
 * @module
 */
import { alive, readPid } from "../dev/detached_process.ts";
import { kafkaHome } from "./kafka_jvm.ts";

/** A set-up `up` can start. */
export type KafkaSetup =
  | { readonly kind: "broker" }
  | { readonly kind: "secure" }
  | { readonly kind: "cluster"; readonly nodes: number };

/** The dev broker. */
export const DEV_BROKER: KafkaSetup = Object.freeze({ kind: "broker" });

/** The secure dev broker (`up --security sasl_ssl`). */
export const SECURE_BROKER: KafkaSetup = Object.freeze({ kind: "secure" });

/** How a set-up is named in output: "the dev broker", "the secure dev broker" or "the 3-node cluster". */
export function setupName(setup: KafkaSetup): string {
  if (setup.kind === "broker") return "the dev broker";
  return setup.kind === "secure" ? "the secure dev broker" : `the ${setup.nodes}-node cluster`;
}

/**
 * The set-ups with a process `up` started that is still alive, found by their pid files under
 * `home`: `broker.pid` for the dev broker, `secure/broker.pid` for the secure one,
 * `cluster-N/node-I/node.pid` for a node of an N-node cluster. The dev broker comes first, then
 * the secure one, then clusters by size.
 */
export async function startedSetups(home = kafkaHome()): Promise<KafkaSetup[]> {
  const found: KafkaSetup[] = [];
  if (await aliveAt(`${home}/broker.pid`)) found.push(DEV_BROKER);
  if (await aliveAt(`${home}/secure/broker.pid`)) found.push(SECURE_BROKER);
  const sizes: number[] = [];
  try {
    for await (const entry of Deno.readDir(home)) {
      const size = entry.isDirectory ? entry.name.match(/^cluster-(\d+)$/)?.[1] : undefined;
      if (size !== undefined) sizes.push(Number(size));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const nodes of sizes.sort((a, b) => a - b)) {
    for (let id = 1; id <= nodes; id++) {
      if (await aliveAt(`${home}/cluster-${nodes}/node-${id}/node.pid`)) {
        found.push({ kind: "cluster", nodes });
        break;
      }
    }
  }
  return found;
}

/**
 * The set-ups `status` or `down` acts on: the one `--nodes` names when given (1 is the dev
 * broker), else every set-up `up` started that still runs, else the dev broker (whose status
 * then says whether some other broker answers on its port).
 */
export function setupsToActOn(nodes: number | undefined, started: readonly KafkaSetup[]): KafkaSetup[] {
  if (nodes !== undefined) return [nodes === 1 ? DEV_BROKER : { kind: "cluster", nodes }];
  return started.length > 0 ? [...started] : [DEV_BROKER];
}

async function aliveAt(pidFile: string): Promise<boolean> {
  const pid = await readPid(pidFile);
  return pid !== undefined && alive(pid);
}
