/**
 * Runs a command with a Kafka broker available: when `KAFKA_BROKERS` is unset it brings up the
 * local dev broker first (`deno task kafka up`, a no-op when one already answers). Exits with the
 * command's exit code. `deno task test` runs the test suite through it.
 *
 * @module
 */
import { kafkaUp } from "../kafka/kafka.ts";

const [command, ...args] = Deno.args;
if (command === undefined) {
  console.error("usage: with_kafka.ts COMMAND [ARGS...]");
  Deno.exit(2);
}
if (!Deno.env.get("KAFKA_BROKERS")) {
  try {
    await kafkaUp();
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
const executable = command === "deno" ? Deno.execPath() : command;
const status = await new Deno.Command(executable, { args, stdin: "inherit", stdout: "inherit", stderr: "inherit" })
  .spawn().status;
Deno.exit(status.code);
