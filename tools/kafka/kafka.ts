/**
 * `deno task kafka up|down|status`: a single-node Apache Kafka (KRaft) on 127.0.0.1:9092 for
 * development and tests, assembled from its Maven Central jars and run on the machine's JDK.
 *
 * - `up` resolves the jars into a cache folder (once), formats storage (once), starts the broker
 *   and waits until it answers metadata requests. It does nothing when a broker already answers.
 * - `down` stops only the broker that `up` started (by its pid file). Data stays for the next `up`.
 * - `status` says whether a broker answers and whether it is ours.
 *
 * The cache folder is `$VELTRIX_KAFKA_HOME`, by default `~/.cache/veltrix/kafka`.
 *
 * @module
 */
import { clusterAnswers } from "../../src/kafka/mod.ts";

const BOOTSTRAP = "127.0.0.1:9092";
const here = new URL(".", import.meta.url).pathname;

/** Where the dev broker keeps jars, data, logs and its pid. */
export function kafkaHome(): string {
  const explicit = Deno.env.get("VELTRIX_KAFKA_HOME");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? "/root";
  return `${home}/.cache/veltrix/kafka`;
}

const paths = () => {
  const home = kafkaHome();
  return {
    home,
    libs: `${home}/libs`,
    libsComplete: `${home}/libs/.complete`,
    data: `${home}/data`,
    config: `${home}/server.properties`,
    pid: `${home}/broker.pid`,
    log: `${home}/broker.log`,
  };
};

/** True when a broker at 127.0.0.1:9092 answers a metadata request within `timeoutMs`. */
export function brokerAnswers(timeoutMs = 2_000): Promise<boolean> {
  return clusterAnswers([BOOTSTRAP], timeoutMs);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], what: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${what} failed (exit ${out.code}):\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

function javaArgs(p: ReturnType<typeof paths>, main: string, args: string[], heap = "256m"): string[] {
  return [`-Xmx${heap}`, `-Dlog4j2.configurationFile=${here}log4j2.properties`, "-cp", `${p.libs}/*`, main, ...args];
}

async function ensureJars(p: ReturnType<typeof paths>): Promise<void> {
  if (await exists(p.libsComplete)) return;
  console.error(`kafka: resolving Apache Kafka jars from Maven Central into ${p.libs}`);
  await Deno.mkdir(p.libs, { recursive: true });
  await run("mvn", [
    "-q",
    "-B",
    "-f",
    `${here}pom.xml`,
    "dependency:copy-dependencies",
    "-DincludeScope=runtime",
    `-DoutputDirectory=${p.libs}`,
  ], "mvn dependency:copy-dependencies");
  await Deno.writeTextFile(p.libsComplete, new Date().toISOString());
}

async function ensureFormatted(p: ReturnType<typeof paths>): Promise<void> {
  const template = await Deno.readTextFile(`${here}server.properties`);
  await Deno.mkdir(p.data, { recursive: true });
  await Deno.writeTextFile(p.config, template.replaceAll("@LOG_DIR@", p.data));
  if (await exists(`${p.data}/meta.properties`)) return;
  const clusterId = (await run("java", javaArgs(p, "kafka.tools.StorageTool", ["random-uuid"]), "random-uuid"))
    .trim().split("\n").pop()!;
  await run(
    "java",
    javaArgs(p, "kafka.tools.StorageTool", ["format", "-t", clusterId, "-c", p.config, "--standalone"]),
    "storage format",
  );
}

async function readPid(p: ReturnType<typeof paths>): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(p.pid)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

async function tail(path: string, lines = 30): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Starts the dev broker unless one already answers, and waits until it is ready. */
export async function kafkaUp(timeoutMs = 120_000): Promise<void> {
  if (await brokerAnswers()) {
    console.error(`kafka: a broker already answers on ${BOOTSTRAP}; nothing to do`);
    return;
  }
  const p = paths();
  const stale = await readPid(p);
  if (stale !== undefined && alive(stale)) {
    console.error(`kafka: broker pid ${stale} is starting; waiting for it`);
  } else {
    await ensureJars(p);
    await ensureFormatted(p);
    const heap = Deno.env.get("VELTRIX_KAFKA_HEAP") ?? "1g";
    const cmd = ["java", ...javaArgs(p, "kafka.Kafka", [p.config], heap)].map(shellQuote).join(" ");
    const started = await run("sh", ["-c", `nohup ${cmd} >> ${shellQuote(p.log)} 2>&1 < /dev/null & echo $!`], "start");
    await Deno.writeTextFile(p.pid, started.trim());
    console.error(`kafka: started broker pid ${started.trim()}, log ${p.log}`);
  }
  const pid = await readPid(p);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await brokerAnswers(1_000)) {
      console.error(`kafka: ready on ${BOOTSTRAP}`);
      return;
    }
    if (pid !== undefined && !alive(pid)) {
      throw new Error(`kafka: broker exited during start. Last log lines:\n${await tail(p.log)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`kafka: not ready after ${timeoutMs} ms. Last log lines:\n${await tail(p.log)}`);
}

/** Stops the broker that `kafkaUp` started, and waits until it is gone. */
export async function kafkaDown(timeoutMs = 60_000): Promise<void> {
  const p = paths();
  const pid = await readPid(p);
  if (pid === undefined || !alive(pid)) {
    console.error("kafka: no broker started by this script is running");
    await Deno.remove(p.pid).catch(() => {});
    return;
  }
  Deno.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) {
    console.error(`kafka: pid ${pid} ignored SIGTERM for ${timeoutMs} ms; killing it`);
    Deno.kill(pid, "SIGKILL");
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Deno.remove(p.pid).catch(() => {});
  console.error(`kafka: stopped broker pid ${pid}`);
}

/** One line on the state of the dev broker. */
export async function kafkaStatus(): Promise<{ up: boolean; pid: number | undefined }> {
  const pid = await readPid(paths());
  const ours = pid !== undefined && alive(pid) ? pid : undefined;
  return { up: await brokerAnswers(), pid: ours };
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

if (import.meta.main) {
  const [command] = Deno.args;
  try {
    if (command === "up") await kafkaUp();
    else if (command === "down") await kafkaDown();
    else if (command === "status") {
      const { up, pid } = await kafkaStatus();
      console.log(
        `${up ? "up" : "down"} ${BOOTSTRAP}${pid ? ` (started by this script, pid ${pid})` : ""} home=${kafkaHome()}`,
      );
      Deno.exit(up ? 0 : 1);
    } else {
      console.error("usage: deno task kafka up|down|status");
      Deno.exit(2);
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
