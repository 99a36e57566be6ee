/**
 * What the benchmark ran on, for the results: CPU, memory, kernel and the versions that matter.
 *
 * @module
 */
const pom = new URL("../tools/kafka/pom.xml", import.meta.url);

const root = new URL("..", import.meta.url).pathname;

/** The commit checked out (short), with `+changes` when tracked files differ from it; "unknown" without git. */
export async function describeCommit(): Promise<string> {
  const git = (...args: string[]) =>
    new Deno.Command("git", { args: ["-C", root, ...args], stdout: "piped", stderr: "null" }).output();
  try {
    const head = await git("rev-parse", "--short", "HEAD");
    if (!head.success) return "unknown";
    const status = await git("status", "--porcelain", "--untracked-files=no");
    const dirty = status.success && status.stdout.length > 0;
    return new TextDecoder().decode(head.stdout).trim() + (dirty ? "+changes" : "");
  } catch {
    return "unknown";
  }
}

/** CPU model and count, memory, OS, the commit, and the Deno, Kafka and JDK versions. */
export async function describeMachine(): Promise<Record<string, string | number>> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const java = await new Deno.Command("java", { args: ["-version"], stderr: "piped", stdout: "null" }).output()
    .then((o) => new TextDecoder().decode(o.stderr).split("\n")[0] ?? "").catch(() => "unknown");
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? "unknown",
    cpus: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1024 / 1024),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    commit: await describeCommit(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    kafka: /<kafka.version>([^<]+)</.exec(await Deno.readTextFile(pom))?.[1] ?? "unknown",
    java,
    note: "edge, load generators and the Kafka broker (one KRaft node) share these CPUs",
  };
}
