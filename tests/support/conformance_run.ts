/** Runs `deno task conformance-edge` as its own process, as a client author would. */

const root = new URL("../../", import.meta.url).pathname;

/** A conformance edge process: its URLs, and its output and exit code once it ends. */
export interface ConformanceRun {
  readonly ingestUrl: string;
  readonly tokenUrl: string;
  /** Resolves when the process exits: its exit code and everything it printed. */
  readonly result: Promise<{ code: number; output: string }>;
}

/** Starts `deno task conformance-edge --port 0 --timeout <timeout>` and resolves once it prints its URLs. */
export async function startConformanceRun(timeout = "30s"): Promise<ConformanceRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "conformance-edge", "--port", "0", "--timeout", timeout],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let output = "";
  const urls = Promise.withResolvers<{ ingestUrl: string; tokenUrl: string }>();
  const pump = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      const ingest = output.match(/ingest (ws:\/\/\S+)/)?.[1];
      const tokens = output.match(/tokens (http:\/\/\S+)/)?.[1];
      if (ingest && tokens) urls.resolve({ ingestUrl: ingest, tokenUrl: tokens });
    }
  })();
  const result = child.status.then(async (status) => {
    await pump;
    urls.reject(new Error(`conformance edge exited early (${status.code}): ${output}`));
    return { code: status.code, output };
  });
  return { ...(await urls.promise), result };
}
