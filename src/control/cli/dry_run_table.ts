import type { DryRunReport, RouteChangeFinding, SchemaFinding } from "../../core/fleet/dry_run.ts";

const rate = (perMinute: number) => `${perMinute.toLocaleString("en-US", { maximumFractionDigits: 1 })}/min`;
const span = (ms: number) => ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Aligns rows of cells into lines; the last column is left ragged. */
function aligned(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

function routeRows(title: string, findings: readonly RouteChangeFinding[]): string[][] {
  return findings.map((f, i) => [
    i === 0 ? title : "",
    f.type,
    rate(f.perMinute),
    percent(f.share),
    `${f.before.join(", ") || "(rejected)"} -> ${f.after.join(", ") || "NO_ROUTE"}`,
  ]);
}

function schemaRow(f: SchemaFinding, i: number): string[] {
  const example = f.example ? `e.g. "${f.example.pointer}" ${f.example.keyword}` : "";
  return [
    i === 0 ? "schema" : "",
    f.type,
    rate(f.perMinute),
    percent(f.share),
    `${percent(f.failShare)} of ${f.sampled} samples fail "${f.schema}" (${f.action}) ${example}`.trimEnd(),
  ];
}

/**
 * A dry run as a table an operator reads in five seconds: one line per type that would change,
 * with its traffic and share, grouped by what happens to it, most traffic first.
 */
export function dryRunTable(report: DryRunReport): string[] {
  const w = report.window;
  const head = `dry run: version ${report.currentVersion} -> ${report.candidateVersion}, ` +
    `last ${span(w.coveredMs)}: ${w.events.toLocaleString("en-US")} events (${rate(w.perMinute)})`;
  const byTraffic = <T extends { perMinute: number }>(list: readonly T[]) =>
    [...list].sort((a, b) => b.perMinute - a.perMinute);
  const rows = [
    ...routeRows("NO_ROUTE", byTraffic(report.newlyNoRoute)),
    ...routeRows("dead letter", byTraffic(report.newlyDeadLettered)),
    ...byTraffic(report.schemas).map(schemaRow),
    ...routeRows("reroute", byTraffic(report.changes)),
  ];
  const lines = [head];
  if (rows.length === 0) lines.push("nothing in the recent traffic would route differently");
  else lines.push(...aligned([["CHANGE", "TYPE", "EVENTS", "SHARE", "WHAT"], ...rows]));
  if (!report.sampling && report.schemas.length === 0) {
    lines.push("(no payload samples on this edge: set VELTRIX_DRY_RUN_SAMPLES to judge new schemas)");
  }
  if (report.other.events > 0) {
    lines.push(
      `not judged: ${rate(report.other.perMinute)} (${percent(report.other.share)}) of types past the sketch's bound`,
    );
  }
  return lines;
}
