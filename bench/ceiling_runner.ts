/**
 * Runs the reference ceilings in `bench/ceilings/` as processes of their own.
 *
 * @module
 */
import { withFileLimit } from "./file_limit.ts";
import { textLines } from "./text_lines.ts";

const ceilings = new URL("./ceilings/", import.meta.url).pathname;

/** Runs `bench/ceilings/<script>` to its end and returns the one JSON line it printed. */
export async function runCeilingScript(script: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ceilings}${script}`, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const line = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  if (!output.success || !line.startsWith("{")) throw new Error(`ceiling ${script} failed (exit ${output.code})`);
  return JSON.parse(line);
}

/** A bare WebSocket sink that acks without Kafka, running until stopped. */
export interface WebSocketSink {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `bench/ceilings/websocket_sink.ts` on a free port. */
export async function startWebSocketSink(): Promise<WebSocketSink> {
  const { command, args } = withFileLimit(Deno.execPath(), [
    "run",
    "--allow-all",
    `${ceilings}websocket_sink.ts`,
    "--port=0",
  ]);
  const child = new Deno.Command(command, { args, stdout: "piped", stderr: "inherit" }).spawn();
  const lines = textLines(child.stdout);
  const first = await lines.next();
  if (first.done) throw new Error("the WebSocket sink exited before it was ready");
  const ready = JSON.parse(first.value);
  const drain = (async () => {
    for await (const _ of lines) { /* the final counts line is not needed */ }
  })();
  return {
    url: `ws://127.0.0.1:${ready.port}/v1/ingest`,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drain;
    },
  };
}
