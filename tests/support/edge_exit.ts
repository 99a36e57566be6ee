/** Runs an edge that is expected to stop on its own (a start-up refusal), and gives what it said. */
import { TEST_JWT_SECRET } from "./tokens.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Runs an edge with `env` until it exits (killed after 30 s); its exit code and everything it printed. */
export async function edgeExit(env: Record<string, string>): Promise<{ code: number; said: string }> {
  const state = await Deno.makeTempDir({ prefix: "veltrix-sec-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "edge"],
      cwd: root,
      env: {
        VELTRIX_JWT_SECRET: TEST_JWT_SECRET,
        VELTRIX_PORT: "0",
        VELTRIX_ADMIN_PORT: "0",
        VELTRIX_GRPC_PORT: "0",
        VELTRIX_STATE_DIR: state,
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    const said = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
    return { code: output.code, said };
  } finally {
    await Deno.remove(state, { recursive: true });
  }
}
