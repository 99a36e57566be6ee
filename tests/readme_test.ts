/** README.md stays true: it documents every configuration variable and every error code the code knows. */
import assert from "node:assert/strict";
import { errorCodes } from "../src/core/error_code.ts";
import { CONFIG_VARIABLES } from "../src/main/config.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** The cells of the README table row whose first cell is `first`, trimmed. */
function row(first: string): string[] | undefined {
  return readme.split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()))
    .find((cells) => cells[0] === first);
}

Deno.test("README lists every configuration variable with its default", () => {
  for (const variable of CONFIG_VARIABLES) {
    const cells = row(`\`${variable.name}\``);
    assert.ok(cells, `README has no row for ${variable.name}`);
    assert.ok(cells[1]?.includes(variable.default.replace(/^\((.*)\)$/, "$1")), `README default of ${variable.name}`);
  }
});

Deno.test("README lists every error code with its HTTP status", () => {
  for (const [code, spec] of Object.entries(errorCodes)) {
    const cells = row(`\`${code}\``);
    assert.ok(cells, `README has no row for ${code}`);
    assert.equal(cells[1], String(spec.http), `README status of ${code}`);
  }
});

Deno.test("README's quick start names the test command that .ci/run runs", async () => {
  const ci = await Deno.readTextFile(new URL("../.ci/run", import.meta.url));
  const testCommand = readme.match(/^(npx -y deno@[\d.]+ task test)/m)?.[1];
  assert.ok(testCommand, "README has a test command");
  assert.ok(ci.split("\n").includes(testCommand), ".ci/run runs the README's test command");
});
