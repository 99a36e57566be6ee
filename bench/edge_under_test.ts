/**
 * The edge a benchmark drives: `src/main/main.ts` in its own process, configured so that only the
 * machine limits it (rate limits far above the offered load), plus what the benchmark reads from
 * it: RSS and CPU time from `/proc`, event-loop delay from `/metrics`, route-apply times from
 * `/v1/edge`.
 *
 * @module
 */
import { withFileLimit } from "./file_limit.ts";
import { textLines } from "./text_lines.ts";
import { edgeArgv, edgeEnvironment } from "../tools/dev/edge_launch.ts";

const root = new URL("../", import.meta.url).pathname;
const CLOCK_TICKS_PER_S = 100;

/** A running edge under test. */
export interface EdgeUnderTest {
  readonly pid: number;
  readonly ingestUrl: string;
  readonly adminUrl: string;
  /** Resident set size now, in bytes. */
  rssBytes(): Promise<number>;
  /** User + system CPU time used so far, in seconds. */
  cpuSeconds(): Promise<number>;
  /** Event-loop delay p99 since the last call (prom-client resets it on every scrape), in ms. */
  eventLoopDelayP99Ms(): Promise<number>;
  /** The last route-apply times the edge kept, in ms. */
  routeApplyMs(): Promise<number[]>;
  /** The edge's exit code once it has exited, else undefined. */
  readonly exitCode: number | undefined;
  /** Events the edge holds for Kafka now. */
  inFlightEvents(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts an edge on free ports and resolves once `/readyz` answers 200. */
export async function startEdgeUnderTest(
  options: {
    brokers: string;
    jwtSecret: string;
    trustedKeys?: string;
    extraEnv?: Record<string, string>;
    /** A command the edge runs under, e.g. `["taskset", "-c", "0"]` (inside the raised file limit). */
    launcher?: readonly string[];
  },
): Promise<EdgeUnderTest> {
  const stateDir = await Deno.makeTempDir({ prefix: "veltrix-bench-state-" });
  const [deno, ...denoArgs] = edgeArgv({ denoFlags: cpuProfileFlags(), launcher: options.launcher ?? [] });
  const { command, args } = withFileLimit(deno!, denoArgs);
  const child = new Deno.Command(command, {
    args,
    cwd: root,
    env: edgeEnvironment({
      KAFKA_BROKERS: options.brokers,
      VELTRIX_JWT_SECRET: options.jwtSecret,
      VELTRIX_EDGE_ID: `bench-edge-${crypto.randomUUID().slice(0, 8)}`,
      VELTRIX_STATE_DIR: stateDir,
      VELTRIX_MAX_CONNECTIONS: "200000",
      VELTRIX_RATE_PER_CONNECTION: "1000000",
      VELTRIX_RATE_PER_PLAYER: "1000000",
      VELTRIX_IDLE_TIMEOUT_MS: "600000",
      VELTRIX_MAX_PENDING_EVENTS: "1000000",
      ...(options.trustedKeys ? { VELTRIX_TRUSTED_KEYS: options.trustedKeys } : {}),
      ...options.extraEnv,
    }),
    stdout: "null",
    stderr: "piped",
  }).spawn();

  const listening = Promise.withResolvers<{ port: number; adminPort: number }>();
  const tail: string[] = [];
  const pump = (async () => {
    for await (const line of textLines(child.stderr)) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      if (line.includes('"listening"')) {
        const entry = JSON.parse(line);
        listening.resolve({ port: entry.port, adminPort: entry.adminPort });
      }
    }
  })();
  let exitCode: number | undefined;
  const exited = child.status.then(async (s) => {
    exitCode = s.code;
    listening.reject(new Error(`edge exited (${s.code}): ${tail.join("\n")}`));
    if (!stopping) {
      console.error(`bench: the edge exited unexpectedly (${s.code}); its last lines:\n${tail.join("\n")}`);
    }
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    return s.code;
  });
  let stopping = false;
  const { port, adminPort } = await listening.promise;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    const response = await fetch(`${adminUrl}/readyz`).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`edge not ready after 60 s: ${tail.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const edgeInfo = async () => await (await fetch(`${adminUrl}/v1/edge`)).json();
  return {
    pid: child.pid,
    ingestUrl: `ws://127.0.0.1:${port}/v1/ingest`,
    adminUrl,
    async rssBytes() {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    },
    async cpuSeconds() {
      const stat = await Deno.readTextFile(`/proc/${child.pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
    },
    async eventLoopDelayP99Ms() {
      const text = await (await fetch(`${adminUrl}/metrics`)).text();
      const match = /^veltrix_nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.eE+-]+)$/m.exec(text);
      return match ? Number(match[1]) * 1000 : NaN;
    },
    async routeApplyMs() {
      return (await edgeInfo()).routeUpdates.applyMs as number[];
    },
    async inFlightEvents() {
      return (await edgeInfo()).inFlight.events as number;
    },
    get exitCode() {
      return exitCode;
    },
    async stop() {
      stopping = true;
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await exited;
      await pump;
    },
  };
}

/**
 * `--cpu-prof` flags when `VELTRIX_BENCH_CPU_PROF_DIR` names a folder: each edge the benchmark
 * starts then writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
 */
function cpuProfileFlags(): string[] {
  const dir = Deno.env.get("VELTRIX_BENCH_CPU_PROF_DIR");
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}
