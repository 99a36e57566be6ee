/**
 * The one way tests, the benchmark and the local fleet launch an edge process: `src/main/main.ts`
 * with `deno task edge`'s permissions (read from deno.json, so that they cannot drift), and the
 * environment every launched edge starts from.
 *
 * @module
 */

const root = new URL("../../", import.meta.url);

/** The edge's entry point. */
export const EDGE_MAIN: string = new URL("src/main/main.ts", root).pathname;

/** The permission flags of `deno task edge`, as deno.json writes them. */
export const EDGE_PERMISSIONS: readonly string[] = Object.freeze(
  edgePermissionsOf(JSON.parse(Deno.readTextFileSync(new URL("deno.json", root))).tasks.edge),
);

/** The `--allow-*` flags of a `deno run ... src/main/main.ts` task line. */
export function edgePermissionsOf(task: string): string[] {
  const words = task.split(/\s+/);
  const flags = words.slice(words.indexOf("run") + 1, words.indexOf("src/main/main.ts"));
  if (flags.length === 0 || flags.some((flag) => !flag.startsWith("--allow-"))) {
    throw new Error(`the edge task is not "deno run --allow-... src/main/main.ts": ${task}`);
  }
  return flags;
}

/** How to launch one edge. */
export interface EdgeLaunch {
  /** Runs the edge with `--allow-all` instead of the edge task's permissions (it can then read /proc). */
  readonly allowAll?: boolean;
  /** More `deno run` flags, e.g. `--cpu-prof`. */
  readonly denoFlags?: readonly string[];
  /** A command the edge runs under, e.g. `["prlimit", "--nofile=300:300"]`. */
  readonly launcher?: readonly string[];
}

/** The argv that runs an edge: `[...launcher, deno, "run", permissions, ...denoFlags, main.ts]`. */
export function edgeArgv(launch: EdgeLaunch = {}): string[] {
  return [
    ...(launch.launcher ?? []),
    Deno.execPath(),
    "run",
    ...(launch.allowAll ? ["--allow-all"] : EDGE_PERMISSIONS),
    ...(launch.denoFlags ?? []),
    EDGE_MAIN,
  ];
}

/**
 * The environment a launched edge starts from: listening on loopback only, on ports the system
 * picks, logging at info; `env` overrides and adds to it.
 */
export function edgeEnvironment(env: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    VELTRIX_HOST: "127.0.0.1",
    VELTRIX_PORT: "0",
    VELTRIX_ADMIN_PORT: "0",
    VELTRIX_GRPC_PORT: "0",
    VELTRIX_LOG_LEVEL: "info",
    ...env,
  };
}
