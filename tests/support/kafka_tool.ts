/**
 * Runs one of Kafka's own command-line tools (ConfigCommand, ConsoleConsumer, ...) from the dev
 * broker's jars: the independent Java client the tests check Kafka with.
 */
import { kafkaHome } from "../../tools/kafka/kafka.ts";

/** What a Kafka tool printed, and whether it exited 0. */
export interface KafkaToolOutput {
  readonly success: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `org.apache.kafka.tools.<tool>` with `args` against `bootstrap` (`--bootstrap-server`). */
export async function runKafkaTool(tool: string, bootstrap: string, args: readonly string[]): Promise<KafkaToolOutput> {
  const output = await new Deno.Command("java", {
    args: ["-cp", `${kafkaHome()}/libs/*`, `org.apache.kafka.tools.${tool}`, "--bootstrap-server", bootstrap, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { success: output.success, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
