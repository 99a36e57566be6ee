/**
 * `deno task docs`: rewrites the tables in `docs/` that are generated from the code, each between
 * its marker comments (`<!-- name:begin -->` and `<!-- name:end -->`):
 *
 * - `config-table` in `docs/operations.md`, from the edge's config table (`src/main/config_table.ts`);
 * - `error-table` in `docs/errors.md`, from the error code table (`src/core/errors/error_code.ts`);
 * - `schema-limits-table` in `docs/routing.md`, from the payload schema limits (`src/core/schemas/payload_schema_limits.ts`);
 * - `config` in the Helm chart's `deploy/helm/veltrix/values.yaml` (`# config:begin` and `# config:end`
 *   there), from the config table too (`tools/helm/chart_values.ts`).
 *
 * Tables come out as `deno fmt` writes them. `tests/readme_test.ts` fails when a committed table
 * differs from what this would write.
 *
 * @module
 */
import { errorCodes, PAYLOAD_SCHEMA_LIMITS } from "../../src/core/mod.ts";
import { CONFIG_VARIABLES } from "../../src/main/config.ts";
import { chartValuesSections } from "../helm/chart_values.ts";
import { answerHelp } from "../dev/usage.ts";

const DOCS_USAGE = `usage: deno task docs

Rewrites the generated tables between their marker comments: the config table in
docs/operations.md and the chart's values, the error table in docs/errors.md, the payload schema
limits in docs/routing.md.`;

/** One generated table: the file it lives in (from the repository root), its marker name, its text. */
export interface GeneratedTable {
  readonly file: string;
  readonly marker: string;
  readonly render: () => string;
}

/** A Markdown table padded the way `deno fmt` pads one; `|` in a cell is escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escaped = [header, ...rows].map((cells) => cells.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = header.map((_, column) => Math.max(3, ...escaped.map((cells) => (cells[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, column) => (cells[column] ?? "").padEnd(width)).join(" | ")} |`;
  const [head, ...body] = escaped;
  return [line(head!), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

/** `text` with `code` in backticks, unless it is a placeholder such as `(none)`. */
function codeUnlessPlaceholder(text: string): string {
  return text.startsWith("(") ? text : `\`${text}\``;
}

/** Environment variable names in `text`, put in backticks. */
function quoteVariables(text: string): string {
  return text.replaceAll(/(?<!`)\b((?:VELTRIX|KAFKA)_[A-Z0-9_]+)\b(?!`)/g, "`$1`");
}

/** Every environment variable the edge reads, its default and what it does. */
export function configTable(): string {
  return markdownTable(
    ["Variable", "Default", "What it does"],
    CONFIG_VARIABLES.map((v) => [`\`${v.name}\``, codeUnlessPlaceholder(v.default), v.doc]),
  );
}

/** Every error code with its HTTP status, RPC code, retry advice, close code and when it happens. */
export function errorCodeTable(): string {
  return markdownTable(
    ["Code", "HTTP", "RPC", "Retry?", "Close", "When"],
    Object.entries(errorCodes).map(([code, spec]) => [
      `\`${code}\``,
      String(spec.http),
      spec.rpc,
      spec.retryable ? "yes" : "no",
      spec.close === undefined ? "" : String(spec.close),
      quoteVariables(spec.summary),
    ]),
  );
}

/** Every limit on payload schemas: its name, value and the code its problems start with. */
export function schemaLimitsTable(): string {
  return markdownTable(
    ["Limit", "Value", "Code", "What it bounds"],
    Object.entries(PAYLOAD_SCHEMA_LIMITS).map(([name, limit]) => [
      `\`${name}\``,
      limit.value === 0 ? "" : limit.value.toLocaleString("en-US"),
      `\`${limit.code}\``,
      limit.summary,
    ]),
  );
}

/** The tables `deno task docs` writes. */
export const GENERATED_TABLES: readonly GeneratedTable[] = [
  { file: "docs/operations.md", marker: "config-table", render: configTable },
  { file: "docs/errors.md", marker: "error-table", render: errorCodeTable },
  { file: "docs/routing.md", marker: "schema-limits-table", render: schemaLimitsTable },
  { file: "deploy/helm/veltrix/values.yaml", marker: "config", render: chartValuesSections },
];

/**
 * `text` with what lies between the `marker` comments replaced by `table`; throws when the markers are missing.
 * Markers are HTML comments (`<!-- name:begin -->`), or `# name:begin` lines in YAML (`yaml` true).
 */
export function replaceBetweenMarkers(text: string, marker: string, table: string, yaml = false): string {
  const begin = yaml ? `# ${marker}:begin` : `<!-- ${marker}:begin -->`;
  const end = yaml ? `# ${marker}:end` : `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`no ${begin} ... ${end} markers`);
  return `${text.slice(0, from + begin.length)}\n\n${table}\n\n${text.slice(to)}`;
}

/** The text `file` would have after `deno task docs`, read relative to `root`. */
export async function regenerated(root: URL, table: GeneratedTable): Promise<{ current: string; expected: string }> {
  const current = await Deno.readTextFile(new URL(table.file, root));
  const yaml = table.file.endsWith(".yaml");
  return { current, expected: replaceBetweenMarkers(current, table.marker, table.render(), yaml) };
}

if (import.meta.main) {
  answerHelp(Deno.args, DOCS_USAGE);
  const root = new URL("../../", import.meta.url);
  for (const table of GENERATED_TABLES) {
    const { current, expected } = await regenerated(root, table);
    if (current === expected) {
      console.log(`${table.file}: ${table.marker} is up to date`);
    } else {
      await Deno.writeTextFile(new URL(table.file, root), expected);
      console.log(`${table.file}: ${table.marker} rewritten`);
    }
  }
}
