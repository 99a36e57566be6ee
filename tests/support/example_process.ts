/** An example's server run as its own process, with its `deno task`'s command and permissions. */

const root = new URL("../../", import.meta.url).pathname;

/** A running example. */
export interface ExampleProcess {
  readonly port: number;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number>;
}

/**
 * Starts the `deno run ...` command of `task` in deno.json with `env`, and resolves once it
 * prints `{"msg":"listening","port":N}`.
 */
export async function startExampleTask(
  task: string,
  env: Record<string, string>,
  { stderr = "inherit" }: { stderr?: "inherit" | "null" } = {},
): Promise<ExampleProcess> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const [, ...args] = (config.tasks[task] as string).split(/\s+/);
  const child = new Deno.Command(Deno.execPath(), { args, cwd: root, env, stdout: "piped", stderr }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`${task} exited before it listened`);
    buffered += value;
    const match = /\{"msg":"listening","port":(\d+)/.exec(buffered);
    if (match) {
      return {
        port: Number(match[1]),
        async stop() {
          child.kill("SIGTERM");
          const status = await child.status;
          lines.releaseLock();
          await child.stdout.cancel().catch(() => {});
          return status.code;
        },
      };
    }
  }
}
