/** Every command of deno.json answers `--help` with its usage, and starts nothing. */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** Tasks that hand their arguments to another tool, which has its own `--help` (deno test, buf, deno bench). */
const DELEGATING = new Set(["test", "test:cluster", "gen", "lint:proto", "check", "bench:micro"]);

const tasks: Record<string, string> = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks;

Deno.test("the list of tasks that delegate --help names only tasks that exist", () => {
  for (const name of DELEGATING) assert.ok(name in tasks, `${name} is a task`);
});

for (const name of Object.keys(tasks).filter((name) => !DELEGATING.has(name))) {
  Deno.test(`deno task ${name} --help prints its usage and exits 0`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", name, "--help"],
      cwd: root,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(text, new RegExp(`^usage: deno task ${name}\\b`));
  });
}
