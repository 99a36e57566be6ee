/**
 * A real Prometheus (Debian's `prometheus` package) for tests: on 127.0.0.1 and a free port, with a
 * temporary data folder, scraping the given targets every second and evaluating the given rule
 * files every second. Stopped and its folder removed by `stop()`.
 */
import { stringify } from "yaml";
import { freePort } from "./edge_process.ts";

/** A running test Prometheus. */
export interface PrometheusServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `GET /api/v1/query?query=...`: the parsed answer, whatever its status. */
  query(promql: string): Promise<PromResponse>;
  /** `GET /api/v1/alerts`: the parsed answer. */
  alerts(): Promise<PromResponse>;
  stop(): Promise<void>;
}

/** The JSON envelope of Prometheus's HTTP API. */
export interface PromResponse {
  status: "success" | "error";
  // deno-lint-ignore no-explicit-any
  data?: any;
  error?: string;
  errorType?: string;
}

/** Starts Prometheus scraping `targets` (host:port of an edge's admin port) as job `veltrix`, with `ruleFiles`. */
export async function startPrometheus(
  targets: readonly string[],
  ruleFiles: readonly string[] = [],
  timeoutMs = 60_000,
): Promise<PrometheusServer> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-test-prometheus-" });
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
    rule_files: ruleFiles,
    scrape_configs: [{ job_name: "veltrix", static_configs: [{ targets }] }],
  };
  await Deno.writeTextFile(`${dir}/prometheus.yml`, stringify(config));
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const pump = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void log.push(chunk) }),
  ).catch(() => {});
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
    await pump;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/-/ready`).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after ${timeoutMs} ms: ${log.join("").slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const get = async (path: string): Promise<PromResponse> => {
    const response = await fetch(`${url}${path}`);
    return await response.json();
  };
  return {
    url,
    query: (promql) => get(`/api/v1/query?query=${encodeURIComponent(promql)}`),
    alerts: () => get("/api/v1/alerts"),
    stop,
  };
}

/** Polls `check` every 250 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
