/**
 * `deno task routes ...`: the ops CLI of `src/control/cli/routes_cli.ts`, plus `trace` and `replay`,
 * which read Kafka and therefore are composed here rather than in control (control may not import kafka).
 *
 * @module
 */
import { runRoutesCli } from "../../src/control/mod.ts";
import { traceCommand } from "../tail/trace_command.ts";
import { replayCommand } from "./replay_command.ts";

if (import.meta.main) {
  Deno.exit(await runRoutesCli(Deno.args, console.log, { trace: traceCommand, replay: replayCommand }));
}
