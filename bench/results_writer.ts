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
  return await writeRunFiles(out, { startedAt: run.startedAt, latest }, {
    json: () => resultsJson(run),
    md: (name) => renderMarkdown(run, `${name}.svg`),
    svg: () => renderSvg(run),
  });
}

/** A run's results as JSON text; numbers that are not finite become null. */
export function resultsJson(run: unknown): string {
  return JSON.stringify(run, (_k, v) => typeof v === "number" && !Number.isFinite(v) ? null : v, 2) + "\n";
}

/**
 * Writes `<out>/<prefix><timestamp>.<ext>` for each of `files` (given the file's name without its
 * extension), and the same as `<prefix>latest.<ext>` with `latest`; returns the paths written.
 */
export async function writeRunFiles(
  out: string,
  { startedAt, latest, prefix = "" }: { startedAt: string; latest: boolean; prefix?: string },
  files: Record<string, (name: string) => string>,
): Promise<string[]> {
  await Deno.mkdir(out, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, "-");
  const written: string[] = [];
  for (const name of latest ? [`${prefix}${stamp}`, `${prefix}latest`] : [`${prefix}${stamp}`]) {
    for (const [ext, render] of Object.entries(files)) {
      const path = `${out}/${name}.${ext}`;
      await Deno.writeTextFile(path, render(name));
      written.push(path);
    }
  }
  return written;
}
