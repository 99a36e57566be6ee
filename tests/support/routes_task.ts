import { testBrokers } from "./kafka_target.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Runs `deno task routes ARGS` with the task's own permissions against the test broker. */
export async function routesTask(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const [, ...taskArgs] = (config.tasks.routes as string).split(/\s+/);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...taskArgs, ...args],
    cwd: root,
    env: { KAFKA_BROKERS: testBrokers() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: output.code, stdout: text.decode(output.stdout), stderr: text.decode(output.stderr) };
}
