/**
 * `deno task conformance-edge [--port N] [--timeout 60s]`: starts the conformance edge
 * (`conformance_edge.ts`), prints its URLs and the workload, and once the script has ended (or
 * timed out) prints a verdict per rule. Exits 0 when every rule passes, 1 otherwise, 2 on bad
 * options.
 *
 * @module
 */
import { type ConformanceEdgeOptions, startConformanceEdge, WORKLOAD_EVENTS } from "./conformance_edge.ts";
import { formatVerdicts } from "./conformance_rules.ts";
import { answerHelp } from "../dev/usage.ts";

/** Reads `--port N` and `--timeout 60s` (or `60000ms`, or a bare number of seconds). */
export function parseConformanceArgs(args: readonly string[]): ConformanceEdgeOptions {
  let port = 0;
  let timeoutMs = 60_000;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--port") {
      port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${value}: not a port`);
    } else if (flag === "--timeout") {
      const match = value.match(/^(\d+(?:\.\d+)?)(ms|s)?$/);
      if (!match) throw new Error(`--timeout ${value}: expected e.g. 60s or 500ms`);
      timeoutMs = Number(match[1]) * (match[2] === "ms" ? 1 : 1000);
    } else {
      throw new Error(`unknown option ${flag} (usage: conformance-edge [--port N] [--timeout 60s])`);
    }
  }
  return { port, timeoutMs };
}

/** What `deno task conformance-edge --help` prints. */
const CONFORMANCE_USAGE = `usage: deno task conformance-edge [--port N] [--timeout 60s]

Starts an edge for a client under test to talk to, prints its ingest and token URLs and the
workload, and judges what the client did against the protocol's rules once it closes or the
timeout passes.`;

if (import.meta.main) {
  answerHelp(Deno.args, CONFORMANCE_USAGE);
  let options: ConformanceEdgeOptions;
  try {
    options = parseConformanceArgs(Deno.args);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  const edge = await startConformanceEdge(options);
  console.log(`conformance edge: ingest ${edge.ingestUrl}`);
  console.log(`conformance edge: tokens ${edge.tokenUrl}`);
  console.log(
    `conformance edge: send ${WORKLOAD_EVENTS} events of type conformance.ping, keep each until it is acked, close when all are; judging within ${
      options.timeoutMs! / 1000
    } s`,
  );
  const verdicts = await edge.verdicts;
  console.log(formatVerdicts(verdicts));
  Deno.exit(verdicts.every((v) => v.pass) ? 0 : 1);
}
