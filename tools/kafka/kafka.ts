/**
 * `deno task kafka up|down|status [--nodes N]`: Apache Kafka (KRaft) for development and tests,
 * assembled from its Maven Central jars and run on the machine's JDK.
 *
 * With `--nodes 1` (the default), a single node on 127.0.0.1:9092:
 * - `up` resolves the jars into a cache folder (once), formats storage (once), starts the broker
 *   and waits until it answers metadata requests. It does nothing when a broker already answers.
 * - `down` stops only the broker that `up` started (by its pid file). Data stays for the next `up`.
 * - `status` says whether a broker answers and whether it is ours.
 *
 * Without `--nodes`, `down` and `status` act on every set-up `up` started that still runs (the dev
 * broker, clusters), found by their pid files (`started_setups.ts`), and name each.
 *
 * With `--nodes 3`, a cluster of three combined broker+controller nodes configured as production
 * would be (replication factor 3, `min.insync.replicas=2`, no unclean leader election): see
 * `kafka_cluster.ts`. Its bootstrap is printed by `up` and `status`.
 *
 * With `--security sasl_ssl`, a second single-node broker with SASL_SSL (SCRAM-SHA-512), mTLS and
 * OAUTHBEARER listeners on 29092-29098 (see `secure_broker.ts`), beside the plain one; `up` and
 * `status` print the environment a client needs, one `NAME=value` per line: SCRAM's, a blank line,
 * then mTLS's.
 *
 * The cache folder is `$VELTRIX_KAFKA_HOME`, by default `~/.cache/veltrix/kafka`.
 *
 * @module
 */
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { clusterDown, clusterStatusLines, clusterUp } from "./kafka_cluster.ts";
import { clusterBootstrap } from "./cluster_layout.ts";
import { setupName, setupsToActOn, startedSetups } from "./started_setups.ts";
import { exists, run } from "../dev/detached_process.ts";
import { brokerStatus, type DetachedBroker, startBroker, stopBroker } from "./detached_broker.ts";
import { javaArgs, KAFKA_TOOLS_DIR, kafkaHome, randomClusterId } from "./kafka_jvm.ts";
import { secureEnvironmentText, secureKafkaDown, secureKafkaStatus, secureKafkaUp } from "./secure_broker.ts";

export { kafkaHome } from "./kafka_jvm.ts";

const BOOTSTRAP = "127.0.0.1:9092";

const paths = () => {
  const home = kafkaHome();
  return {
    home,
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

async function ensureFormatted(p: ReturnType<typeof paths>): Promise<void> {
  const template = await Deno.readTextFile(`${KAFKA_TOOLS_DIR}server.properties`);
  await Deno.mkdir(p.data, { recursive: true });
  await Deno.writeTextFile(p.config, template.replaceAll("@LOG_DIR@", p.data));
  if (await exists(`${p.data}/meta.properties`)) return;
  const clusterId = await randomClusterId();
  await run(
    "java",
    javaArgs("kafka.tools.StorageTool", ["format", "-t", clusterId, "-c", p.config, "--standalone"]),
    "storage format",
  );
}

/** The dev broker on 9092, as {@link startBroker} and {@link stopBroker} run it. */
function devBroker(): DetachedBroker {
  const p = paths();
  return {
    name: "broker",
    config: p.config,
    pid: p.pid,
    log: p.log,
    heap: "1g",
    answers: brokerAnswers,
    prepare: () => ensureFormatted(p),
  };
}

/** Starts the dev broker unless one already answers, and waits until it is ready. */
export async function kafkaUp(timeoutMs = 120_000): Promise<void> {
  if (await brokerAnswers()) {
    console.error(`kafka: a broker already answers on ${BOOTSTRAP}; nothing to do`);
    return;
  }
  await startBroker(devBroker(), timeoutMs);
  console.error(`kafka: ready on ${BOOTSTRAP}`);
}

/** Stops the broker that `kafkaUp` started, and waits until it is gone. */
export function kafkaDown(timeoutMs = 60_000): Promise<void> {
  return stopBroker(devBroker(), timeoutMs);
}

/** One line on the state of the dev broker. */
export function kafkaStatus(): Promise<{ up: boolean; pid: number | undefined }> {
  return brokerStatus(devBroker());
}

/** `--security sasl_ssl` from the arguments: true when asked for, false when absent. */
export function securityArgument(args: readonly string[]): boolean {
  const at = args.findIndex((arg) => arg === "--security" || arg.startsWith("--security="));
  if (at === -1) return false;
  const raw = args[at]!.includes("=") ? args[at]!.split("=")[1] : args[at + 1];
  if (raw !== "sasl_ssl") throw new Error(`--security takes sasl_ssl, not ${raw}`);
  return true;
}

/** `--nodes N` from the arguments, 1 when absent. */
export function nodesArgument(args: readonly string[]): number {
  const at = args.findIndex((arg) => arg === "--nodes" || arg.startsWith("--nodes="));
  if (at === -1) return 1;
  const raw = args[at]!.includes("=") ? args[at]!.split("=")[1] : args[at + 1];
  const nodes = Number(raw);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`--nodes takes 1 to 9, not ${raw}`);
  return nodes;
}

const USAGE = `usage: deno task kafka up|down|status [--nodes N | --security sasl_ssl]

  up       start the dev broker on ${BOOTSTRAP} (nothing to do when one answers); with --nodes N,
           an N-node cluster, printing its KAFKA_BROKERS
  down     stop what up started: with --nodes N that cluster, else every broker and cluster it
           started that still runs
  status   say whether Kafka answers: with --nodes N that cluster, else every set-up up started
           that still runs, else the dev broker; exits 1 when something is down

  --security sasl_ssl   the second, secured single-node broker instead (see secure_broker.ts)`;

/** True when the arguments name `--nodes`. */
export function nodesGiven(args: readonly string[]): boolean {
  return args.some((arg) => arg === "--nodes" || arg.startsWith("--nodes="));
}

if (import.meta.main) {
  const [command, ...rest] = Deno.args;
  if (command === undefined || ["--help", "-h", "help"].includes(command) || rest.includes("--help")) {
    console.log(USAGE);
    Deno.exit(command === undefined ? 2 : 0);
  }
  try {
    const nodes = nodesArgument(rest);
    if (securityArgument(rest)) {
      if (command === "up") {
        await secureKafkaUp();
        console.log(await secureEnvironmentText());
      } else if (command === "down") await secureKafkaDown();
      else if (command === "status") {
        const { up, pid } = await secureKafkaStatus();
        console.error(`${up ? "up" : "down"} secure broker${pid ? ` (started by this script, pid ${pid})` : ""}`);
        if (up) console.log(await secureEnvironmentText());
        Deno.exit(up ? 0 : 1);
      } else throw new Error("usage: deno task kafka up|down|status --security sasl_ssl");
    } else if (command === "up") {
      if (nodes > 1) console.log(`KAFKA_BROKERS=${(await clusterUp(nodes)).bootstrap}`);
      else await kafkaUp();
    } else if (command === "down" || command === "status") {
      const setups = setupsToActOn(nodesGiven(rest) ? nodes : undefined, await startedSetups());
      let allUp = true;
      for (const setup of setups) {
        if (command === "down") {
          console.error(`kafka: stopping ${setupName(setup)}`);
          await (setup.kind === "broker"
            ? kafkaDown()
            : setup.kind === "secure"
            ? secureKafkaDown()
            : clusterDown(setup.nodes));
        } else if (setup.kind === "secure") {
          const { up } = await secureKafkaStatus();
          allUp &&= up;
          console.log(`${up ? "up" : "down"} ${setupName(setup)} (deno task kafka status --security sasl_ssl)`);
        } else if (setup.kind === "broker") {
          const { up, pid } = await kafkaStatus();
          allUp &&= up;
          console.log(
            `${up ? "up" : "down"} ${BOOTSTRAP}${
              pid ? ` (started by this script, pid ${pid})` : ""
            } home=${kafkaHome()}`,
          );
        } else {
          const { lines, up } = await clusterStatusLines(setup.nodes);
          allUp &&= up;
          console.log([`${setupName(setup)}: KAFKA_BROKERS=${clusterBootstrap(setup.nodes)}`, ...lines].join("\n"));
        }
      }
      if (command === "status") Deno.exit(allUp ? 0 : 1);
    } else {
      console.error(USAGE);
      Deno.exit(2);
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
