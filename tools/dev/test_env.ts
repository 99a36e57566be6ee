/**
 * Runs a command (the test suite, for `deno task test`) with what the integration tests need:
 *
 * - a Kafka broker: when `KAFKA_BROKERS` is unset, the local dev broker is brought up first
 *   (`deno task kafka up`, a no-op when one already answers), and the secure dev broker beside it
 *   (`deno task kafka up --security sasl_ssl`: SASL_SSL, mTLS and OAUTHBEARER listeners, which the
 *   Kafka security tests use);
 * - `kcat`, the independent consumer the tests read topics back with: installed from Debian's
 *   packages when it is missing and this runs as root, otherwise a clear error;
 * - `/usr/bin/chromium`, the browser the dashboard test drives (playwright-core does not download
 *   one): installed from Debian's packages the same way;
 * - `prometheus` and `promtool` (Debian's `prometheus` package, without its recommends), for the alert
 *   rules' and the Grafana dashboard's tests: installed the same way;
 * - `helm`, built once from its Go module into a cache folder (`deno task helm ensure`), for the
 *   chart's tests;
 * - Node.js 20 or later with npm, which the client package tests install the built SDK with (npm
 *   `ws` comes from the npm registry): installed from Debian's packages when missing, the same way;
 * - the Rust client of `clients/rust/`, built with cargo into `~/.cache/veltrix/cargo-target` (crates
 *   from crates.io, pinned by its `Cargo.lock`), which the conformance test runs;
 * - `deno` on the PATH of child processes (buf runs protoc-gen-es through it), even when this
 *   Deno came from `npx`.
 *
 * Exits with the command's exit code.
 *
 * @module
 */
import { buildRustClient } from "../conformance/rust_client.ts";
import { kafkaUp } from "../kafka/kafka.ts";
import { secureKafkaUp } from "../kafka/secure_broker.ts";
import { ensureHelm } from "../helm/helm.ts";

async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/** Installs Debian `packages` with apt-get when this runs as root; otherwise throws `hint`. */
async function aptInstall(packages: string[], hint: string, options: string[] = []): Promise<void> {
  if (Deno.uid() !== 0) throw new Error(hint);
  console.error(`test-env: installing ${packages.join(", ")} from Debian's packages`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...options, ...packages]]) {
    const out = await new Deno.Command("apt-get", { args, env, stdout: "null", stderr: "piped" }).output();
    if (!out.success) throw new Error(`apt-get ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function ensureKcat(): Promise<void> {
  if (await succeeds("kcat", ["-V"])) return;
  await aptInstall(
    ["kcat"],
    "kcat is needed by the integration tests: install it (apt-get install kcat) and run again",
  );
}

const CHROMIUM = "/usr/bin/chromium";

async function ensureChromium(): Promise<void> {
  if (await Deno.stat(CHROMIUM).then((info) => info.isFile, () => false)) return;
  await aptInstall(
    ["chromium"],
    `${CHROMIUM} is needed by the dashboard test: install it (apt-get install chromium) and run again`,
  );
}

async function ensurePrometheus(): Promise<void> {
  if (await succeeds("promtool", ["--version"]) && await succeeds("prometheus", ["--version"])) return;
  await aptInstall(
    ["prometheus"],
    "prometheus and promtool are needed by the alert rule tests: install them (apt-get install prometheus) and run again",
    ["--no-install-recommends"],
  );
}

async function ensureNode(): Promise<void> {
  const version = await new Deno.Command("node", { args: ["--version"], stdout: "piped", stderr: "null" }).output()
    .then((out) => new TextDecoder().decode(out.stdout).trim(), () => "");
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (major >= 20 && await succeeds("npm", ["--version"])) return;
  await aptInstall(
    ["nodejs", "npm"],
    `Node.js 20+ with npm is needed by the client package tests (found ${version || "none"}): install it and run again`,
  );
}

const [command, ...args] = Deno.args;
if (command === undefined) {
  console.error("usage: test_env.ts COMMAND [ARGS...]");
  Deno.exit(2);
}
try {
  await ensureKcat();
  await ensureChromium();
  await buildRustClient();
  await ensurePrometheus();
  await ensureHelm();
  await ensureNode();
  if (!Deno.env.get("KAFKA_BROKERS")) {
    await kafkaUp();
    await secureKafkaUp();
  }
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(1);
}
const denoDir = Deno.execPath().replace(/\/[^/]+$/, "");
const path = `${denoDir}:${Deno.env.get("PATH") ?? ""}`;
const executable = command === "deno" ? Deno.execPath() : command;
const status = await new Deno.Command(executable, {
  args,
  env: { PATH: path },
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
Deno.exit(status.code);
