/**
 * What the dev broker and the local cluster share: the Kafka jars from Maven Central and running
 * the JVM on them.
 *
 * @module
 */
import { exists, run } from "../dev/detached_process.ts";

const here = new URL(".", import.meta.url).pathname;

/** The folder of this script (templates, `pom.xml`, `log4j2.properties`). */
export const KAFKA_TOOLS_DIR = here;

/** Where the dev broker keeps jars, data, logs and its pid: `$VELTRIX_KAFKA_HOME`, by default `~/.cache/veltrix/kafka`. */
export function kafkaHome(): string {
  const explicit = Deno.env.get("VELTRIX_KAFKA_HOME");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? "/root";
  return `${home}/.cache/veltrix/kafka`;
}

/** The folder of Kafka's jars under the cache. */
export function libsDir(): string {
  return `${kafkaHome()}/libs`;
}

/** JVM arguments to run `main` from the jars with a heap of `heap` and log4j2 to stderr. */
export function javaArgs(main: string, args: string[], heap = "256m"): string[] {
  return [`-Xmx${heap}`, `-Dlog4j2.configurationFile=${here}log4j2.properties`, "-cp", `${libsDir()}/*`, main, ...args];
}

/** Resolves the jars from Maven Central into the cache, once. */
export async function ensureJars(): Promise<void> {
  const libs = libsDir();
  if (await exists(`${libs}/.complete`)) return;
  console.error(`kafka: resolving Apache Kafka jars from Maven Central into ${libs}`);
  await Deno.mkdir(libs, { recursive: true });
  await run("mvn", [
    "-q",
    "-B",
    "-f",
    `${here}pom.xml`,
    "dependency:copy-dependencies",
    "-DincludeScope=runtime",
    `-DoutputDirectory=${libs}`,
  ], "mvn dependency:copy-dependencies");
  await Deno.writeTextFile(`${libs}/.complete`, new Date().toISOString());
}

/** A new cluster id from `StorageTool random-uuid`. */
export async function randomClusterId(): Promise<string> {
  return (await run("java", javaArgs("kafka.tools.StorageTool", ["random-uuid"]), "random-uuid")).trim().split("\n")
    .pop()!;
}
