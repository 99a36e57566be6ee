/**
 * Whether the machine was quiet enough for a run's figures to become `bench/results/latest.*`: the
 * load average before and after the run, the CPU that processes outside the run used while it ran,
 * and the pure rules that turn those into a verdict (tested in `machine_load_test.ts`).
 *
 * The benchmark's own processes (this one and everything it starts) and the dev broker it measures
 * against are the run; anything else that used CPU meanwhile (other tests, a cluster starting, a
 * build) is "foreign" and would have taken cores from the edge.
 *
 * @module
 */
import { kafkaHome } from "../tools/kafka/kafka_jvm.ts";

/** `/proc/loadavg`'s first three fields. */
export interface LoadAverage {
  readonly one: number;
  readonly five: number;
  readonly fifteen: number;
}

/** What the run knows of the machine's load, as recorded in the results. */
export interface MachineLoad {
  readonly before: LoadAverage;
  readonly after?: LoadAverage;
  /** CPU seconds that processes outside the run used during it (the dev broker is part of the run). */
  readonly foreignCpuS?: number;
  /** The busiest foreign processes, `name (pid): seconds`. */
  readonly foreignTop?: readonly string[];
  readonly durationS?: number;
}

/** The rules of "busy"; exported so that the note in the results can quote them. */
export const QUIET_RULES = {
  /** The 1-minute load average before the run must be under this. */
  maxLoadBefore: 1.0,
  /** Foreign processes may use at most this many cores on average over the run. */
  maxForeignCores: 0.25,
} as const;

/** Parses `/proc/loadavg` text. */
export function parseLoadAverage(text: string): LoadAverage {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((n) => Number.isFinite(n))) throw new Error(`not /proc/loadavg: ${text}`);
  return { one: one!, five: five!, fifteen: fifteen! };
}

/** Why the machine was too busy for a trusted run; empty when it was quiet. */
export function busyReasons(load: MachineLoad, rules = QUIET_RULES): string[] {
  const reasons: string[] = [];
  if (load.before.one >= rules.maxLoadBefore) {
    reasons.push(
      `1-minute load average before the run was ${load.before.one} (the rule: under ${rules.maxLoadBefore})`,
    );
  }
  if (load.foreignCpuS !== undefined && load.durationS !== undefined && load.durationS > 0) {
    const cores = load.foreignCpuS / load.durationS;
    if (cores > rules.maxForeignCores) {
      reasons.push(
        `other processes used ${round(load.foreignCpuS)} CPU-seconds during the run, ${round(cores)} cores on ` +
          `average (the rule: at most ${rules.maxForeignCores})${
            load.foreignTop?.length ? `: ${load.foreignTop.join(", ")}` : ""
          }`,
      );
    }
  }
  return reasons;
}

/** What kind of run this was, for {@link latestVerdict}. */
export interface RunKind {
  readonly quick: boolean;
  /** The run ran every scenario of a full run and no `--target`. */
  readonly full: boolean;
}

/** Whether a run may replace `latest.*`, and why not. */
export function latestVerdict(kind: RunKind, busy: readonly string[]): { writeLatest: boolean; why: string } {
  if (kind.quick) return { writeLatest: false, why: "a --quick run never replaces latest.*" };
  if (!kind.full) {
    return {
      writeLatest: false,
      why: "only a full run (every scenario with its default settings, no --target) replaces latest.*",
    };
  }
  if (busy.length > 0) return { writeLatest: false, why: `the machine was busy: ${busy.join("; ")}` };
  return { writeLatest: true, why: "a full run on a quiet machine" };
}

/** CPU time and parentage of one process, from `/proc/<pid>/stat`. */
export interface ProcessCpu {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  /** utime + stime of the process itself, in clock ticks. */
  readonly ticks: number;
  /** True for the dev broker the run measures against (its CPU is the run's). */
  readonly broker: boolean;
}

/** Parses `/proc/<pid>/stat` text (the name may hold spaces and parentheses). */
export function parseProcStat(text: string): { pid: number; ppid: number; name: string; ticks: number } {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // Fields after the name start at field 3 (state): ppid is field 4, utime 14, stime 15.
  return {
    pid: Number(text.slice(0, open).trim()),
    name: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

/**
 * CPU seconds used between two snapshots by processes that are neither `self` nor its descendants
 * nor the broker, and the busiest of them. A process that appeared meanwhile counts whole.
 */
export function foreignCpu(
  before: readonly ProcessCpu[],
  after: readonly ProcessCpu[],
  self: number,
  ticksPerSecond = 100,
): { seconds: number; top: string[] } {
  const parent = new Map<number, number>();
  for (const p of [...before, ...after]) parent.set(p.pid, p.ppid);
  const ours = (pid: number) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === self) return true;
    return false;
  };
  const start = new Map(before.map((p) => [p.pid, p.ticks]));
  const used: { label: string; seconds: number }[] = [];
  for (const p of after) {
    if (p.broker || ours(p.pid)) continue;
    const delta = p.ticks - (start.get(p.pid) ?? 0);
    if (delta > 0) used.push({ label: `${p.name} (${p.pid})`, seconds: delta / ticksPerSecond });
  }
  used.sort((a, b) => b.seconds - a.seconds);
  const seconds = used.reduce((sum, u) => sum + u.seconds, 0);
  return { seconds: round(seconds), top: used.slice(0, 3).map((u) => `${u.label}: ${round(u.seconds)} s`) };
}

/** What a run reads before it starts anything, to judge the machine by afterwards. */
export interface MachineBefore {
  readonly load: LoadAverage;
  readonly processes: readonly ProcessCpu[];
}

/** The load average and every process's CPU time now, before a run. */
export async function machineBefore(): Promise<MachineBefore> {
  return { load: await readLoadAverage(), processes: await snapshotProcesses() };
}

/** The machine's load over a run of `durationS` seconds that began with `before`; `self` is the run's process. */
export async function machineLoadSince(
  before: MachineBefore,
  durationS: number,
  self = Deno.pid,
): Promise<MachineLoad> {
  const foreign = foreignCpu(before.processes, await snapshotProcesses(), self);
  return {
    before: before.load,
    after: await readLoadAverage(),
    foreignCpuS: foreign.seconds,
    foreignTop: foreign.top,
    durationS,
  };
}

/** This machine's load average now. */
export async function readLoadAverage(): Promise<LoadAverage> {
  return parseLoadAverage(await Deno.readTextFile("/proc/loadavg"));
}

/** Every process's CPU time now; `brokerMarker` is a string of the broker's command line. */
export async function snapshotProcesses(brokerMarker = devBrokerMarker()): Promise<ProcessCpu[]> {
  const list: ProcessCpu[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = parseProcStat(await Deno.readTextFile(`/proc/${entry.name}/stat`));
      let broker = false;
      if (stat.name === "java") {
        const cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).replaceAll("\0", " ");
        broker = cmdline.includes(brokerMarker);
      }
      list.push({ ...stat, broker });
    } catch {
      // The process ended while it was being read.
    }
  }
  return list;
}

/**
 * The dev broker's command-line marker: its `server.properties` in the Kafka cache folder. A
 * three-node cluster's brokers use other files and count as foreign.
 */
export function devBrokerMarker(): string {
  return `kafka.Kafka ${kafkaHome()}/server.properties`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
