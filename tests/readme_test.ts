/**
 * README.md and docs/ stay true: they document every configuration variable and every error code
 * the code knows, their generated tables are current, the README's test command is the one CI
 * runs, and their links lead somewhere.
 */
import assert from "node:assert/strict";
import { errorCodes } from "../src/core/errors/error_code.ts";
import { CONFIG_VARIABLES } from "../src/main/config.ts";
import { GENERATED_TABLES, regenerated } from "../tools/docs/write_tables.ts";

const root = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

/** The cells of the Markdown table row in `text` whose first cell is `first`, trimmed. */
function row(text: string, first: string): string[] | undefined {
  return text.split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()))
    .find((cells) => cells[0] === first);
}

Deno.test("docs/operations.md lists every configuration variable with its default and what it does", async () => {
  const operations = await read("docs/operations.md");
  for (const variable of CONFIG_VARIABLES) {
    const cells = row(operations, `\`${variable.name}\``);
    assert.ok(cells, `docs/operations.md has no row for ${variable.name}`);
    assert.ok(cells[1]?.includes(variable.default.replace(/^\((.*)\)$/, "$1")), `default of ${variable.name}`);
    assert.equal(cells[2], variable.doc, `doc of ${variable.name}`);
  }
});

Deno.test("docs/errors.md lists every error code with its HTTP status", async () => {
  const errors = await read("docs/errors.md");
  for (const [code, spec] of Object.entries(errorCodes)) {
    const cells = row(errors, `\`${code}\``);
    assert.ok(cells, `docs/errors.md has no row for ${code}`);
    assert.equal(cells[1], String(spec.http), `status of ${code}`);
  }
});

Deno.test("the tables in docs/ are what `deno task docs` writes from the code", async () => {
  for (const table of GENERATED_TABLES) {
    const { current, expected } = await regenerated(root, table);
    assert.ok(current === expected, `${table.file}: the ${table.marker} is stale; run \`deno task docs\``);
  }
});

Deno.test("README's quick start names the test command that .ci/run runs", async () => {
  const [readme, ci] = await Promise.all([read("README.md"), read(".ci/run")]);
  const testCommand = readme.match(/^(npx -y deno@[\d.]+ task test)/m)?.[1];
  assert.ok(testCommand, "README has a test command");
  assert.ok(ci.split("\n").includes(testCommand), ".ci/run runs the README's test command");
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replaceAll(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");
}

/** The anchors of every heading in a Markdown text, fenced code left out. */
function anchors(text: string): Set<string> {
  const outsideCode = text.replaceAll(/^```[\s\S]*?^```/gm, "");
  return new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1]!)));
}

Deno.test("README and docs/ link only to files and headings that exist", async () => {
  const pages = ["README.md", ...[...Deno.readDirSync(new URL("docs/", root))].map((entry) => `docs/${entry.name}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const text = (await read(page)).replaceAll(/^```[\s\S]*?^```/gm, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, hash] = target!.split("#");
      const file = path === "" ? new URL(page, root) : new URL(path!, new URL(page, root));
      let linked: string;
      try {
        linked = await Deno.readTextFile(file);
      } catch {
        broken.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (hash !== undefined && !anchors(linked).has(hash)) broken.push(`${page}: ${target} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});
