/**
 * A single-node KRaft broker of the test's own, on ports and a data folder it is given, beside the
 * shared dev broker on 9092: for tests that stop and restart a broker (the Prometheus alert test)
 * without taking Kafka away from everything else on the machine. It runs as a child of the test
 * process (not detached), from the same jars and `server.properties` as the dev broker.
 *
 * @module
 */
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { ensureJars, javaArgs, KAFKA_TOOLS_DIR, randomClusterId } from "./kafka_jvm.ts";
import { run } from "../dev/detached_process.ts";

/** Where a single broker listens and keeps its data. */
export interface SingleBrokerLayout {
  /** Client (PLAINTEXT) port on 127.0.0.1. */
  readonly port: number;
  /** KRaft controller port on 127.0.0.1. */
  readonly controllerPort: number;
  /** Data and config folder; formatted on the first start, kept across restarts. */
  readonly dir: string;
}

/** A broker started by {@linkcode startSingleBroker}. */
export interface SingleBroker {
  /** `127.0.0.1:PORT`. */
  readonly bootstrap: string;
  /** Stops the broker process (SIGKILL: a crash; SIGTERM: a clean stop) and waits for it to exit. */
  stop(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Starts it again on the same ports and data, and waits until it answers. */
  restart(timeoutMs?: number): Promise<void>;
}

/** The dev broker's `server.properties` moved to `layout`'s ports and folder. */
export function singleBrokerProperties(template: string, layout: SingleBrokerLayout): string {
  return template
    .replaceAll("127.0.0.1:9092", `127.0.0.1:${layout.port}`)
    .replaceAll("127.0.0.1:9093", `127.0.0.1:${layout.controllerPort}`)
    .replaceAll("@LOG_DIR@", `${layout.dir}/data`);
}

/** Formats (first time) and starts a broker on `layout`, and resolves once it answers metadata requests. */
export async function startSingleBroker(layout: SingleBrokerLayout, timeoutMs = 120_000): Promise<SingleBroker> {
  await ensureJars();
  const config = `${layout.dir}/server.properties`;
  const template = await Deno.readTextFile(`${KAFKA_TOOLS_DIR}server.properties`);
  await Deno.mkdir(`${layout.dir}/data`, { recursive: true });
  await Deno.writeTextFile(config, singleBrokerProperties(template, layout));
  const clusterId = await randomClusterId();
  await run(
    "java",
    javaArgs("kafka.tools.StorageTool", ["format", "-t", clusterId, "-c", config, "--standalone"]),
    "storage format",
  );
  const bootstrap = `127.0.0.1:${layout.port}`;
  let child: Deno.ChildProcess | undefined;
  const start = async (waitMs: number) => {
    const log = await Deno.open(`${layout.dir}/broker.log`, { append: true, create: true, write: true });
    child = new Deno.Command("java", {
      args: javaArgs("kafka.Kafka", [config], "384m"),
      stdout: "null",
      stderr: "piped",
    }).spawn();
    child.stderr.pipeTo(log.writable).catch(() => {});
    const deadline = Date.now() + waitMs;
    while (!(await clusterAnswers([bootstrap], 1_000))) {
      if (Date.now() > deadline) throw new Error(`broker on ${bootstrap} not ready after ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  await start(timeoutMs);
  return {
    bootstrap,
    async stop(signal = "SIGTERM") {
      const running = child;
      child = undefined;
      if (running === undefined) return;
      try {
        running.kill(signal);
      } catch {
        // Already gone.
      }
      await running.status;
    },
    restart: (waitMs = timeoutMs) => start(waitMs),
  };
}
