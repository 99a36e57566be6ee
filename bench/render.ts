/**
 * Re-renders a saved benchmark run (`bench/results/<timestamp>.json`) to its table, Markdown and
 * SVG chart, e.g. after a change to the report: `deno run --allow-all bench/render.ts FILE.json [--latest]`.
 * With `--latest` it also refreshes `latest.*` beside it.
 *
 * @module
 */
import type { BenchRun } from "./bench_result.ts";
import { renderTable } from "./report.ts";
import { writeResults } from "./results_writer.ts";

const [file, flag] = Deno.args;
if (file === undefined) {
  console.error("usage: render.ts RESULTS.json [--latest]");
  Deno.exit(2);
}
const run = JSON.parse(await Deno.readTextFile(file)) as BenchRun;
console.log(renderTable(run));
const written = await writeResults(run, file.replace(/\/[^/]*$/, "") || ".", { latest: flag === "--latest" });
console.error(`render: ${written.join(", ")}`);
