/**
 * Writes a benchmark run to `<out>/<timestamp>.{json,md,svg}`, and copies them to `<out>/latest.*`
 * when asked: `bench/main.ts` asks only for a full run on a quiet machine (`machine_load.ts`).
 *
 * @module
 */
import type { BenchRun } from "./bench_result.ts";
import { renderMarkdown, renderSvg } from "./report.ts";

/** Writes the run's files (and `latest.*` with `latest`) and returns their paths. */
export async function writeResults(
  run: BenchRun,
  out: string,
  { latest }: { latest: boolean },
): Promise<string[]> {
  await Deno.mkdir(out, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, "-");
  const files: Record<string, (chart: string) => string> = {
    json: () => JSON.stringify(run, (_k, v) => typeof v === "number" && !Number.isFinite(v) ? null : v, 2) + "\n",
    md: (chart) => renderMarkdown(run, chart),
    svg: () => renderSvg(run),
  };
  const written: string[] = [];
  for (const name of latest ? [stamp, "latest"] : [stamp]) {
    for (const [ext, render] of Object.entries(files)) {
      const path = `${out}/${name}.${ext}`;
      await Deno.writeTextFile(path, render(`${name}.svg`));
      written.push(path);
    }
  }
  return written;
}
