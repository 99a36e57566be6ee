/**
 * Raises the open-file limit of the processes a benchmark starts, so that thousands of
 * connections are limited by the machine and not by a shell default of 1,024 or 20,000 descriptors.
 *
 * @module
 */

/** Open files each benchmark process may hold. */
export const BENCH_FILE_LIMIT = 262_144;

let prlimit: boolean | undefined;

/**
 * The command and arguments that run `command args...` with the raised limit: through util-linux
 * `prlimit` where it exists (and may raise the hard limit, as root can), else unchanged.
 */
export function withFileLimit(command: string, args: readonly string[]): { command: string; args: string[] } {
  prlimit ??= canRaise();
  return prlimit
    ? { command: "prlimit", args: [`--nofile=${BENCH_FILE_LIMIT}:${BENCH_FILE_LIMIT}`, command, ...args] }
    : { command, args: [...args] };
}

function canRaise(): boolean {
  try {
    return new Deno.Command("prlimit", {
      args: [`--nofile=${BENCH_FILE_LIMIT}:${BENCH_FILE_LIMIT}`, "true"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}
