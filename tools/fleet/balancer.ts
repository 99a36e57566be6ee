/**
 * HAProxy as a process: installed from Debian's packages when missing (as root, like the test
 * task does for kcat), started on a config from `haproxy_config.ts`, watched through its stats
 * page, and stopped by its pid.
 *
 * @module
 */
import { alive, readPid, run, startDetached, stopPid, tail } from "../dev/detached_process.ts";
import { readOpenFileLimit } from "../../src/main/open_file_limit.ts";
import { backendStatuses, type BalancerSettings, haproxyConfig, maxConnectionsFor } from "./haproxy_config.ts";

/** A running balancer. */
export interface Balancer {
  readonly pid: number;
  /** `ws://listen/v1/ingest` */
  readonly clientUrl: string;
  readonly settings: BalancerSettings;
  /** Each edge's status on the stats page. */
  statuses(): Promise<Map<string, string>>;
  /** Resolves once every edge in `names` is `UP` (or, with `want: "DOWN"`, out of rotation). */
  waitFor(names: readonly string[], want: "UP" | "DOWN", timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

async function haproxyInstalled(): Promise<boolean> {
  try {
    return (await new Deno.Command("haproxy", { args: ["-v"], stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/** Makes sure `haproxy` is on the PATH: installs Debian's package when missing and this runs as root. */
export async function ensureHaproxy(): Promise<void> {
  if (await haproxyInstalled()) return;
  if (Deno.uid() !== 0) throw new Error("haproxy is needed by the fleet: install it (apt-get install haproxy)");
  console.error("fleet: installing haproxy from Debian's packages");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "haproxy"]]) {
    const out = await new Deno.Command("apt-get", { args, env, stdout: "null", stderr: "piped" }).output();
    if (!out.success) throw new Error(`apt-get ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Handles on a balancer whose pid is `pid` (one started now, or found by its pid file). */
export function balancerHandle(pid: number, settings: BalancerSettings): Balancer {
  const statuses = async () => {
    const response = await fetch(`http://${settings.stats}/stats;csv`);
    return backendStatuses(await response.text());
  };
  return {
    pid,
    clientUrl: `ws://${settings.listen}/v1/ingest`,
    settings,
    statuses,
    async waitFor(names, want, timeoutMs = 30_000) {
      const started = performance.now();
      for (;;) {
        const now = await statuses().catch(() => new Map<string, string>());
        const inRotation = (name: string) => (now.get(name) ?? "").startsWith("UP");
        if (names.every((name) => want === "UP" ? now.get(name) === "UP" : !inRotation(name))) {
          return performance.now() - started;
        }
        if (performance.now() - started > timeoutMs) {
          throw new Error(
            `balancer: ${names.join(", ")} not ${want} after ${timeoutMs} ms: ${JSON.stringify([...now])}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      await stopPid(pid, "SIGTERM", 10_000);
    },
  };
}

/**
 * Writes the config into `dir` and starts HAProxy on it (detached, pid in `dir/haproxy.pid`, log in
 * `dir/haproxy.log`); resolves once its stats page answers.
 */
export async function startBalancer(settings: BalancerSettings, dir: string): Promise<Balancer> {
  await ensureHaproxy();
  await Deno.mkdir(dir, { recursive: true });
  const config = `${dir}/haproxy.cfg`;
  const maxConnections = maxConnectionsFor(settings.maxConnections, readOpenFileLimit());
  await Deno.writeTextFile(config, haproxyConfig({ ...settings, maxConnections }));
  await run("haproxy", ["-c", "-q", "-f", config], "haproxy -c");
  const pid = await startDetached(["haproxy", "-db", "-f", config], `${dir}/haproxy.log`, `${dir}/haproxy.pid`);
  const balancer = balancerHandle(pid, settings);
  const deadline = Date.now() + 10_000;
  while (!await balancer.statuses().then(() => true, () => false)) {
    if (!alive(pid)) throw new Error(`haproxy exited at start:\n${await tail(`${dir}/haproxy.log`)}`);
    if (Date.now() > deadline) throw new Error("haproxy's stats page did not answer within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return balancer;
}

/** The pid of the balancer started in `dir`, when it runs. */
export async function balancerPid(dir: string): Promise<number | undefined> {
  const pid = await readPid(`${dir}/haproxy.pid`);
  return pid !== undefined && alive(pid) ? pid : undefined;
}
