/**
 * `--help` for every `deno task` command: each entry point calls {@link answerHelp} with its usage
 * before it does anything else.
 *
 * @module
 */

/** True when `args` ask for help: `--help` or `-h` anywhere, or `help` as the command. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes("--help") || args.includes("-h") || args[0] === "help";
}

/** Prints `usage` to stdout and exits 0 when `args` ask for help; returns otherwise. */
export function answerHelp(args: readonly string[], usage: string): void {
  if (!wantsHelp(args)) return;
  console.log(usage);
  Deno.exit(0);
}
