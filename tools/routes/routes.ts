/**
 * `deno task routes ...`: the ops CLI of `src/control/cli/routes_cli.ts`, plus `trace`, which reads
 * Kafka and therefore is composed here rather than in control (control may not import kafka).
 *
 * @module
 */
import { runRoutesCli } from "../../src/control/mod.ts";
import { traceCommand } from "../tail/trace_command.ts";

if (import.meta.main) {
  Deno.exit(await runRoutesCli(Deno.args, console.log, { trace: traceCommand }));
}
