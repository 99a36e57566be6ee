/**
 * Where `deno task bench:tenants` runs what. Two placements (`--placement`; `auto`, the default,
 * takes `apart` with three CPUs or more and `split` with two):
 *
 * - `apart` (the default): the other tenant's generator (and this process) on a CPU of its own, the
 *   last one; the edge, the dev broker's JVM and the quiet client on the others (the edge on the
 *   first half of them, the broker and the quiet client on the rest, or with the edge when one CPU
 *   is left). The generator stands for players on other machines, so it takes no CPU from
 *   anything measured, while all the work a flood causes Veltrix (refusing it at the edge, writing
 *   its admitted share to the broker) stays on the measured CPUs.
 * - `split`: the edge on the first half of the CPUs, everything else (both clients, this process,
 *   the broker) on the other half: the generator shares the broker's and the quiet client's CPU.
 *
 * Pinning is done with util-linux `taskset`; without it (or with one CPU) nothing is pinned and the
 * results say so. The broker's previous affinity is put back when the run ends, on an error and on
 * Ctrl-C too.
 *
 * @module
 */
import { kafkaStatus } from "../../tools/kafka/kafka.ts";
import { kafkaHome } from "../../tools/kafka/kafka_jvm.ts";
import { snapshotProcesses } from "../machine_load.ts";

/** The placements `--placement` takes. */
export const PLACEMENTS = ["auto", "apart", "split"] as const;
export type PlacementName = typeof PLACEMENTS[number];

/**
 * `auto` resolved for `cpus` CPUs: `apart` from three, where the edge, the broker with the quiet
 * client, and the generator each get CPUs of their own; `split` with two, where `apart` would put
 * the broker on the edge's CPU.
 */
export function resolvePlacement(name: PlacementName, cpus: number): Exclude<PlacementName, "auto"> {
  if (name !== "auto") return name;
  return cpus >= 3 ? "apart" : "split";
}

/** What ran where, as the results record it. */
export interface CpuPlacement {
  readonly name: Exclude<PlacementName, "auto">;
  readonly pinned: boolean;
  /** Why nothing was pinned, or what was. */
  readonly note: string;
  /** `taskset -c` lists, e.g. "0" and "1"; empty when not pinned. */
  readonly edgeCpus: string;
  readonly quietCpus: string;
  readonly generatorCpus: string;
  readonly brokerCpus: string;
  /** The dev broker's JVM while the run lasted: its pid, CPUs before, and CPUs during. */
  broker?: { pid: number; before: string; during: string } | { note: string };
}

/** CPU lists (as numbers) for each part of a run. */
export interface CpuPlan {
  readonly edge: number[];
  readonly quiet: number[];
  readonly generator: number[];
  readonly broker: number[];
}

/** Parses a CPU list such as `0-3,6` (as `/proc/<pid>/status` Cpus_allowed_list writes it). */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(",").filter(Boolean)) {
    const [from, to = from] = part.split("-").map(Number);
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new Error(`not a CPU list: ${text}`);
    for (let cpu = from!; cpu <= to!; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/**
 * Which CPUs each part gets under `placement` (see the module doc); undefined with fewer than two
 * CPUs. This process runs on the generator's CPUs.
 */
export function planCpus(cpus: readonly number[], placement: PlacementName): CpuPlan | undefined {
  if (cpus.length < 2) return undefined;
  if (resolvePlacement(placement, cpus.length) === "split") {
    const half = Math.max(1, Math.floor(cpus.length / 2));
    const edge = cpus.slice(0, half), rest = cpus.slice(half);
    return { edge, quiet: rest, generator: rest, broker: rest };
  }
  const measured = cpus.slice(0, -1), generator = cpus.slice(-1);
  const half = Math.max(1, Math.floor(measured.length / 2));
  const edge = measured.slice(0, half);
  const others = measured.length > half ? measured.slice(half) : edge;
  return { edge, quiet: others, generator, broker: others };
}

/** The CPUs a process may run on, as a list. */
export async function allowedCpus(pid: number | "self"): Promise<string> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
  if (list === undefined) throw new Error(`no Cpus_allowed_list in /proc/${pid}/status`);
  return list;
}

/** Runs `taskset args...`; false when it failed or is missing. */
async function taskset(args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command("taskset", { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/**
 * Decides where things run under `name` and pins this process (all its threads) to the
 * generator's CPUs (the edge and the clients are started under `taskset -c` with their own).
 */
export async function planPlacement(asked: PlacementName): Promise<CpuPlacement> {
  const cpus = parseCpuList(await allowedCpus("self"));
  const name = resolvePlacement(asked, cpus.length);
  const plan = planCpus(cpus, name);
  const unpinned = { name, pinned: false, edgeCpus: "", quietCpus: "", generatorCpus: "", brokerCpus: "" };
  if (plan === undefined) return { ...unpinned, note: "one CPU: nothing pinned, all processes share it" };
  const list = (cpus: number[]) => cpus.join(",");
  const [edgeCpus, quietCpus, generatorCpus, brokerCpus] = [plan.edge, plan.quiet, plan.generator, plan.broker]
    .map(list) as [string, string, string, string];
  if (!await taskset(["-a", "-cp", generatorCpus, String(Deno.pid)])) {
    return {
      ...unpinned,
      note: "util-linux taskset is missing or failed: nothing pinned, edge, clients and broker share every CPU",
    };
  }
  const together = (parts: [string, string][]) => {
    const byCpus = new Map<string, string[]>();
    for (const [part, cpus] of parts) byCpus.set(cpus, [...byCpus.get(cpus) ?? [], part]);
    return [...byCpus].map(([cpus, parts]) => `${parts.join(", ")} on CPU ${cpus}`).join("; ");
  };
  return {
    name,
    pinned: true,
    note: `placement ${name}: ` + together([
      ["edge", edgeCpus],
      ["dev broker", brokerCpus],
      ["quiet client", quietCpus],
      ["the other tenant's generator and this process", generatorCpus],
    ]),
    edgeCpus,
    quietCpus,
    generatorCpus,
    brokerCpus,
  };
}

/** `argv` run under `taskset -c cpus`, or unchanged when nothing is pinned. */
export function pinnedArgv(cpus: string, argv: readonly string[]): string[] {
  return cpus ? ["taskset", "-c", cpus, ...argv] : [...argv];
}

/** The dev broker's pid: from its pid file (`deno task kafka status`), else by its command line. */
async function devBrokerPid(): Promise<number | undefined> {
  const { pid } = await kafkaStatus();
  if (pid !== undefined) return pid;
  return (await snapshotProcesses()).find((p) => p.broker)?.pid;
}

/**
 * Where runs that pinned the dev broker record its CPUs from before any of them did, and which runs
 * hold it now: two runs that overlap (or a run killed before it could restore them) must not take
 * the pinned list for the broker's own.
 */
export function brokerPinFile(): string {
  return `${kafkaHome()}/broker-cpus.json`;
}

/** What {@link brokerPinFile} holds. */
export interface BrokerPin {
  readonly pid: number;
  /** The broker's CPU list before the first of the holders pinned it. */
  readonly before: string;
  /** Pids of the bench:tenants runs that pinned it and have not put it back. */
  readonly holders: readonly number[];
}

/** The runs of `holders` still running (a pid whose command line is still a bench:tenants run). */
function running(holders: readonly number[]): number[] {
  return holders.filter((pid) => {
    try {
      return pid !== Deno.pid && Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("tenants/main.ts");
    } catch {
      return false;
    }
  });
}

async function readPin(pid: number): Promise<BrokerPin | undefined> {
  try {
    const pin = JSON.parse(await Deno.readTextFile(brokerPinFile())) as BrokerPin;
    return pin.pid === pid ? pin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pins every thread of the dev broker's JVM to its CPUs in `placement` and returns how to put its
 * previous affinity back (idempotent). The CPUs it had before any run pinned it are kept in
 * {@link brokerPinFile}; the last run to finish puts them back. Records what it did in `placement.broker`.
 */
export async function pinBroker(placement: CpuPlacement, ownBroker: boolean): Promise<() => Promise<void>> {
  const nothing = async () => {};
  if (!placement.pinned) return nothing;
  if (!ownBroker) {
    placement.broker = { note: "not the dev broker (--brokers or KAFKA_BROKERS): its CPUs were not touched" };
    return nothing;
  }
  const pid = await devBrokerPid();
  if (pid === undefined) {
    placement.broker = { note: "the dev broker's pid was not found: its CPUs were not touched" };
    return nothing;
  }
  const earlier = await readPin(pid);
  const before = earlier?.before ?? await allowedCpus(pid);
  const others = running(earlier?.holders ?? []);
  if (others.length > 0) {
    console.error(`bench:tenants: another run (pid ${others.join(", ")}) has the broker pinned too`);
  }
  await Deno.writeTextFile(brokerPinFile(), JSON.stringify({ pid, before, holders: [...others, Deno.pid] }));
  if (!await taskset(["-a", "-cp", placement.brokerCpus, String(pid)])) {
    placement.broker = { note: `taskset could not pin the broker (pid ${pid}); its CPUs were not touched` };
  } else {
    placement.broker = { pid, before, during: placement.brokerCpus };
  }
  let restored = false;
  return async () => {
    if (restored) return;
    restored = true;
    const still = running((await readPin(pid))?.holders ?? []);
    if (still.length > 0) {
      await Deno.writeTextFile(brokerPinFile(), JSON.stringify({ pid, before, holders: still }));
      console.error(`bench:tenants: the broker stays pinned for run ${still.join(", ")}, which puts back ${before}`);
      return;
    }
    if (!await taskset(["-a", "-cp", before, String(pid)])) {
      console.error(`bench:tenants: could not restore the broker's CPUs; run: taskset -a -cp ${before} ${pid}`);
      return;
    }
    await Deno.remove(brokerPinFile()).catch(() => {});
  };
}
