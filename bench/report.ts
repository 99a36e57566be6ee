/**
 * Renders a benchmark run: a plain-text table for stdout, a Markdown summary, and an SVG chart of
 * ack latency against achieved throughput with the SLA line and the ceilings marked.
 *
 * @module
 */
import { type BenchRow, type BenchRun, cpuUsPerEvent } from "./bench_result.ts";

const COLUMNS: readonly [string, (r: BenchRow) => string][] = [
  ["scenario", (r) => r.scenario],
  ["step", (r) => r.label],
  ["conns", (r) => num(r.connections)],
  ["offered/s", (r) => num(r.offeredRate)],
  ["achieved/s", (r) => num(r.achievedRate)],
  ["sent", (r) => num(r.sent)],
  ["acked", (r) => num(r.acked)],
  ["lost", (r) => num(r.lost)],
  ["p50 ms", (r) => ms(r.latencyMs.p50)],
  ["p90 ms", (r) => ms(r.latencyMs.p90)],
  ["p99 ms", (r) => ms(r.latencyMs.p99)],
  ["p99.9 ms", (r) => ms(r.latencyMs.p999)],
  ["max ms", (r) => ms(r.latencyMs.max)],
  ["RSS MB", (r) => r.edge ? `${Math.round(r.edge.rssMaxMb)}` : "–"],
  ["CPU %", (r) => r.edge ? `${r.edge.cpuPercent}` : "–"],
  ["CPU µs/ev", (r) => ms(cpuUsPerEvent(r))],
  ["loop p99 ms", (r) => r.edge ? ms(r.edge.eventLoopDelayP99Ms) : "–"],
  ["apply p99 ms", (r) => ms(r.routeApplyP99Ms)],
  ["gen lag p99 ms", (r) => ms(r.generatorLagP99Ms)],
  ["SLA", (r) => r.meetsSla === undefined ? "–" : r.meetsSla ? "yes" : "no"],
];

/** The results as an aligned text table, with the headline figures under it. */
export function renderTable(run: BenchRun): string {
  const cells = [COLUMNS.map(([name]) => name), ...run.rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const lines = cells.map((row) =>
    row.map((cell, i) => i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join("  ")
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return [...lines, "", ...headline(run)].join("\n");
}

/** The results as a Markdown document: machine, settings, the table, notes and the chart. */
export function renderMarkdown(run: BenchRun, chartFile: string): string {
  const header = `| ${COLUMNS.map(([name]) => name).join(" | ")} |`;
  const rule = `|${COLUMNS.map((_, i) => i < 2 ? "---" : "---:").join("|")}|`;
  const body = run.rows.map((r) => `| ${COLUMNS.map(([, f]) => f(r).replaceAll("|", "\\|")).join(" | ")} |`);
  const notes = run.rows.filter((r) => r.notes).map((r) => `- **${r.scenario}, ${r.label}:** ${r.notes}`);
  return [
    `# Veltrix benchmark, ${run.startedAt}${run.quick ? " (quick)" : ""}`,
    "",
    `Machine: ${Object.entries(run.machine).map(([k, v]) => `${k} ${v}`).join("; ")}.`,
    "",
    ...machineLoadLines(run),
    `Took ${run.durationS} s. Latency is from each event's scheduled send time to its ack (open loop, no`,
    "coordinated omission); rates are acked events per second over the measured window, after warm-up.",
    "Lost means acked but not found when the topics were read back with kcat.",
    "",
    "## Headline",
    "",
    ...headline(run).map((line) => `- ${line}`),
    "",
    "## All steps",
    "",
    header,
    rule,
    ...body,
    "",
    ...(notes.length > 0 ? ["## Notes", "", ...notes, ""] : []),
    "## Settings",
    "",
    "```json",
    JSON.stringify(run.settings, null, 2),
    "```",
    "",
    `![ack latency against throughput](${chartFile})`,
    "",
  ].join("\n");
}

/** The load average and the latest.* verdict, for the Markdown; nothing for runs from before they were recorded. */
export function machineLoadLines(run: Pick<BenchRun, "machineLoad" | "latest">, latestName = "latest.*"): string[] {
  const load = run.machineLoad;
  if (load === undefined) return [];
  const avg = (l: { one: number; five: number; fifteen: number }) => `${l.one} / ${l.five} / ${l.fifteen}`;
  return [
    `Load average (1 / 5 / 15 min) before the run: ${avg(load.before)}${
      load.after ? `; after: ${avg(load.after)}` : ""
    }. CPU used by processes outside the run (the dev broker is part of it): ${load.foreignCpuS ?? "?"} s${
      load.foreignTop?.length ? ` (${load.foreignTop.join(", ")})` : ""
    }.${
      run.latest ? ` ${latestName}: ${run.latest.writeLatest ? "replaced" : "not replaced"}, ${run.latest.why}.` : ""
    }`,
    "",
  ];
}

function headline(run: BenchRun): string[] {
  const s = run.summary;
  const lines: string[] = [];
  if (s.highestRateHoldingSla !== undefined) {
    lines.push(
      `Highest steady rate holding the SLA (p99 < 100 ms, nothing lost): ${num(s.highestRateHoldingSla)} ev/s`,
    );
  }
  if (s["highestRateHoldingSla@binary"] !== undefined) {
    lines.push(`Same, with protobuf binary frames instead of JSON: ${num(s["highestRateHoldingSla@binary"])} ev/s`);
  }
  if (s["highestRateHoldingSla@2edges"] !== undefined) {
    lines.push(
      `Same, with 2 edge processes sharing the port (VELTRIX_REUSE_PORT): ${
        num(s["highestRateHoldingSla@2edges"])
      } ev/s`,
    );
  }
  const cpuKeys = Object.keys(s).filter((key) => key.startsWith("cpuUsPerEvent@"));
  if (cpuKeys.length > 0) {
    lines.push(
      `Edge CPU per acked event (steady, 1 edge, from /proc): ${
        cpuKeys.map((key) => `${num(Number(key.slice(key.indexOf("@") + 1)))} ev/s ${s[key]} µs`).join("; ")
      }`,
    );
  }
  if (s.highestAchievedRate !== undefined) {
    lines.push(
      `Highest achieved steady rate: ${
        num(s.highestAchievedRate)
      } ev/s = ${s.achievedOverKafkajs} of the kafkajs-only ceiling`,
    );
  }
  for (
    const [key, label] of [
      ["kafkaProducerPerfRate", "Ceiling, Kafka ProducerPerformance"],
      ["platformaticRate", "Ceiling, bare platformatic producer"],
      ["kafkajsRate", "Ceiling, bare kafkajs producer"],
      ["webSocketSinkRate", "Ceiling, bare WebSocket sink"],
    ] as const
  ) {
    if (s[key] !== undefined) lines.push(`${label}: ${num(s[key])} ev/s`);
  }
  if (s.stallCheckP50Ms !== undefined) {
    lines.push(
      `Server socket stall check (lock-step 200-event frames): p50 ${s.stallCheckP50Ms} ms (a Nagle stall would be 40 ms or more)`,
    );
  }
  if (s.stormP99Change !== undefined) {
    lines.push(
      `Route storm at ${
        num(s.stormRate)
      } ev/s: median p99 ${s.stormP99Median} ms with 10 updates/s against ${s.noStormP99Median} ms without (${
        pct(s.stormP99Change as number)
      }); route-apply p99 ${s.stormApplyP99Ms} ms`,
    );
  }
  const applyMedians = Object.keys(s).filter((key) => key.startsWith("routeApplyMedianMs@"));
  if (applyMedians.length > 0) {
    lines.push(
      `Route-update apply time without load, median / p99: ${
        applyMedians.map((key) => {
          const at = key.slice(key.indexOf("@") + 1);
          return `${applyLabel(at)} ${s[key]} / ${s[`routeApplyP99Ms@${at}`]} ms`;
        }).join("; ")
      }`,
    );
  }
  if (s.batchedEdgeRate !== undefined) {
    lines.push(
      `Batched frames (${num(s.batchedRate)} ev/s in 50-event frames over 200 connections): edge ${
        num(s.batchedEdgeRate)
      } ev/s = ${s.batchedEdgeOverSink} of the bare WebSocket sink's ${num(s.batchedSinkRate)}, p99 ${
        ms(s.batchedEdgeP99Ms as number)
      } ms, RSS up to ${num(s.batchedEdgeRssMaxMb)} MB`,
    );
  }
  if (s.mostPlayersHoldingSla !== undefined) {
    lines.push(
      `Most players at 1 ev/s holding the SLA: ${
        num(s.mostPlayersHoldingSla)
      }; most served (all connected, every event answered): ${num(s.mostPlayersServed)}`,
    );
  }
  lines.push(`Lost: ${num(s.lost)}, unanswered: ${num(s.unanswered)}, records read back: ${num(s.recordsReadBack)}`);
  return lines;
}

/** `1000` as "1,000 routes", `1000AllNew` and `1000+100schemasCold` with what they add. */
function applyLabel(at: string): string {
  const match = /^(\d+)(AllNew)?(?:\+(\d+)schemas(Cold|Reused))?$/.exec(at);
  if (!match) return at;
  const [, routes, allNew, schemas, kind] = match;
  return `${num(Number(routes))} routes${allNew ? " (every route new)" : ""}${
    schemas ? ` + ${schemas} schemas (${kind === "Cold" ? "all new" : "reused"})` : ""
  }`;
}

/** An SVG chart: ack latency p50/p99/p99.9 (log scale) against achieved events per second. */
export function renderSvg(run: BenchRun): string {
  const width = 1040, height = 520, left = 70, right = 230, top = 40, bottom = 60;
  const plotW = width - left - right, plotH = height - top - bottom;
  const points = run.rows.filter((r) => r.offeredRate !== undefined && r.scenario !== "many-players");
  const ceilings = [
    ["Kafka ProducerPerformance", run.summary.kafkaProducerPerfRate],
    ["platformatic only", run.summary.platformaticRate],
    ["kafkajs only", run.summary.kafkajsRate],
    ["WebSocket sink", run.summary.webSocketSinkRate],
  ].filter(([, v]) => typeof v === "number" && v > 0) as [string, number][];
  // The axis fits the measured points and the Node clients' ceilings; a ceiling far beyond them
  // (Kafka's own Java producer) is named at the right edge instead of squeezing the edge's curve flat.
  const clientCeilings = [run.summary.kafkajsRate, run.summary.platformaticRate]
    .map((rate) => typeof rate === "number" ? rate : 0);
  const maxX = niceCeil(Math.max(1, ...points.map((r) => r.achievedRate), ...clientCeilings) * 1.1);
  const latencies = points.flatMap((r) => [r.latencyMs.p50, r.latencyMs.p99, r.latencyMs.p999]).filter(Number.isFinite);
  const minY = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...latencies)))));
  const maxY = Math.pow(10, Math.ceil(Math.log10(Math.max(200, ...latencies))));
  const x = (v: number) => left + v / maxX * plotW;
  const y = (v: number) =>
    top + plotH - (Math.log10(Math.max(v, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">Veltrix edge: ack latency against throughput${
      run.quick ? " (quick run)" : ""
    }</text>`,
  ];
  for (let decade = minY; decade <= maxY; decade *= 10) {
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(decade)}" y2="${y(decade)}" stroke="#ddd"/>`);
    out.push(
      `<text x="${left - 8}" y="${y(decade) + 4}" text-anchor="end">${decade >= 1 ? decade : decade.toFixed(1)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const v = maxX / 5 * i;
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top}" y2="${top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${top + plotH + 18}" text-anchor="middle">${num(Math.round(v))}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${height - 15}" text-anchor="middle">achieved events per second</text>`);
  out.push(
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">ack latency, ms (log)</text>`,
  );
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(
    `<line x1="${left}" x2="${left + plotW}" y1="${y(100)}" y2="${y(100)}" stroke="#c00" stroke-dasharray="6 4"/>`,
  );
  out.push(`<text x="${left + plotW - 4}" y="${y(100) - 5}" text-anchor="end" fill="#c00">SLA p99 100 ms</text>`);
  for (const [label, v] of ceilings) {
    const text = `ceiling: ${escape(label)} ${num(v)}/s`;
    if (v > maxX) {
      out.push(
        `<text x="${left + plotW - 6}" y="${top + 16}" text-anchor="end" fill="#555">${text} (off scale) →</text>`,
      );
      continue;
    }
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top}" y2="${top + plotH}" stroke="#555" stroke-dasharray="3 3"/>`);
    out.push(`<text transform="translate(${x(v) - 5} ${top + plotH - 8}) rotate(-90)" fill="#555">${text}</text>`);
  }
  const series: [string, string, (r: BenchRow) => number][] = [
    ["p50", "#1f77b4", (r) => r.latencyMs.p50],
    ["p99", "#d62728", (r) => r.latencyMs.p99],
    ["p99.9", "#9467bd", (r) => r.latencyMs.p999],
  ];
  const groups: [string, BenchRow[], "line" | "dashed" | "square" | "ring"][] = [
    ["edge, steady", points.filter((r) => r.scenario === "steady"), "line"],
    ["2 edges, steady", points.filter((r) => r.scenario === "scale-out"), "dashed"],
    ["edge, route storm", points.filter((r) => r.scenario === "route-storm"), "square"],
    ["WebSocket sink", points.filter((r) => r.scenario === "ceiling"), "ring"],
  ];
  let legend = 0;
  const legendX = left + plotW + 16;
  for (const [group, rows, mark] of groups) {
    if (rows.length === 0) continue;
    // In offered order: past saturation the achieved rate falls back, and the curve shows it.
    const sorted = [...rows].sort((a, b) => (a.offeredRate ?? 0) - (b.offeredRate ?? 0));
    for (const [name, color, f] of series) {
      const shown = sorted.filter((r) => Number.isFinite(f(r)));
      if (mark === "line" || mark === "dashed") {
        const path = shown.map((r, i) => `${i === 0 ? "M" : "L"}${x(r.achievedRate).toFixed(1)},${y(f(r)).toFixed(1)}`)
          .join(" ");
        const dash = mark === "dashed" ? ` stroke-dasharray="6 3"` : "";
        out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      }
      for (const r of shown) {
        const title = `<title>${escape(`${group} ${r.label}: ${name} ${f(r)} ms at ${r.achievedRate}/s`)}</title>`;
        out.push(marker(mark, x(r.achievedRate), y(f(r)), color, title));
      }
      const ly = top + 10 + legend * 16;
      if (mark === "line" || mark === "dashed") {
        const dash = mark === "dashed" ? ` stroke-dasharray="6 3"` : "";
        out.push(
          `<line x1="${legendX}" x2="${legendX + 22}" y1="${ly - 4}" y2="${
            ly - 4
          }" stroke="${color}" stroke-width="2"${dash}/>`,
        );
      }
      out.push(marker(mark, legendX + 11, ly - 4, color, ""));
      out.push(`<text x="${legendX + 30}" y="${ly}">${escape(`${group} ${name}`)}</text>`);
      legend++;
    }
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function marker(
  kind: "line" | "dashed" | "square" | "ring",
  cx: number,
  cy: number,
  color: string,
  title: string,
): string {
  const at = (v: number) => v.toFixed(1);
  if (kind === "square") {
    return `<rect x="${at(cx - 4)}" y="${at(cy - 4)}" width="8" height="8" fill="${color}">${title}</rect>`;
  }
  if (kind === "ring") {
    return `<circle cx="${at(cx)}" cy="${
      at(cy)
    }" r="4" fill="white" stroke="${color}" stroke-width="2">${title}</circle>`;
  }
  return `<circle cx="${at(cx)}" cy="${at(cy)}" r="3" fill="${color}">${title}</circle>`;
}

function niceCeil(v: number): number {
  const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}

function num(v: unknown): string {
  return typeof v === "number" && Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "–";
}

function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  return v >= 100 ? `${Math.round(v)}` : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function pct(v: number): string {
  return `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;
}

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
