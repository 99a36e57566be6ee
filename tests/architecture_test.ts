/**
 * The tree shows the architecture: core (pure) ← kafka, control, edge ← main. Each folder
 * imports only what its arrow allows, and only `src/kafka/` imports a Kafka client library.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** Folders of `src/` and the folders of `src/` each may import. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: ["core", "gen"],
  kafka: ["kafka", "core", "gen"],
  control: ["control", "core", "gen"],
  edge: ["edge", "core", "gen"],
  client: ["client", "core"],
  consumer: ["consumer", "core", "gen", "kafka"],
  main: ["main", "kafka", "control", "edge", "core", "gen"],
};

/** Kafka client libraries: only `src/kafka/` may import them. */
const KAFKA_CLIENT = /^(npm:)?(kafkajs|@platformatic\/kafka)(@|\/|$)/;

/** Every `.ts` file under `dir`, as paths relative to the repository root. */
async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, root))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** The specifiers a file imports (static and dynamic, type-only included). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']/g)) {
    found.push(match[1]!);
  }
  for (const match of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(match[1]!);
  return found;
}

/** The folder of `src/` that `specifier`, imported by `file`, points into; undefined outside `src/`. */
function targetFolder(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const resolved = new URL(specifier, new URL(file, root)).pathname.slice(root.pathname.length);
  return resolved.startsWith("src/") ? resolved.split("/")[1] : `(${resolved.split("/")[0]})`;
}

/** Hand-written, non-test source files of `src/`, with their folder. */
async function srcFiles(): Promise<{ file: string; folder: string; text: string }[]> {
  const files = [];
  for await (const file of sources("src")) {
    const folder = file.split("/")[1]!;
    if (folder === "gen") continue;
    files.push({ file, folder, text: await Deno.readTextFile(new URL(file, root)) });
  }
  return files;
}

Deno.test("each folder of src/ imports only the folders its arrow allows (tests beside the code and their _helpers included, but for tests/support and tools)", async () => {
  const violations: string[] = [];
  for (const { file, folder, text } of await srcFiles()) {
    const allowed = ALLOWED[folder];
    assert.ok(allowed, `src/${folder}/ has a rule`);
    for (const specifier of specifiers(text)) {
      const target = targetFolder(file, specifier);
      if (target === undefined || allowed.includes(target)) continue;
      if (isTestCode(file) && (target === "(tests)" || target === "(tools)")) continue;
      if (file.endsWith("_test.ts") && folder === "edge" && target === "control") continue;
      violations.push(`${file} imports ${specifier} (${target})`);
    }
  }
  assert.deepEqual(violations, []);
});

/** True for tests, benches and the `_`-prefixed helpers private to a folder's tests. */
function isTestCode(file: string): boolean {
  return /(_test|_bench)\.ts$/.test(file) || /\/_[^/]+\.ts$/.test(file);
}

/** `text` without its comments, so that a doc comment naming `Deno.*` is no use of it. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

Deno.test("core is pure: no Deno namespace, no runtime or network modules, no Kafka, no Hono", async () => {
  const violations: string[] = [];
  for (const { file, folder, text } of await srcFiles()) {
    if (folder !== "core" || isTestCode(file)) continue;
    if (/\bDeno\./.test(code(text))) violations.push(`${file} uses Deno.*`);
    for (const specifier of specifiers(text)) {
      if (/^(node:|npm:|hono|kafkajs|prom-client|@connectrpc)/.test(specifier)) {
        violations.push(`${file} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

/**
 * The only packages core code may import: pure code that does no I/O. ajv compiles payload schemas
 * into functions (code generation with `new Function`; no loader is set and remote refs are refused).
 */
const CORE_PACKAGES = /^(@bufbuild\/protobuf(\/wire|\/wkt)?|ajv\/dist\/2020\.js)$/;

Deno.test("core code imports no package but protobuf-es and ajv's 2020-12 validator", async () => {
  const violations: string[] = [];
  for (const { file, folder, text } of await srcFiles()) {
    if (folder !== "core" || isTestCode(file)) continue;
    for (const specifier of specifiers(text)) {
      if (!specifier.startsWith(".") && !CORE_PACKAGES.test(specifier)) violations.push(`${file} imports ${specifier}`);
    }
  }
  assert.deepEqual(violations, []);
});

Deno.test("only src/kafka/ imports a Kafka client library, anywhere in the repository", async () => {
  const violations: string[] = [];
  for (const dir of ["src", "tests", "tools", "bench"]) {
    for await (const file of sources(dir)) {
      if (file.startsWith("src/kafka/")) continue;
      const text = await Deno.readTextFile(new URL(file, root));
      for (const specifier of specifiers(text)) {
        if (KAFKA_CLIENT.test(specifier)) violations.push(`${file} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

Deno.test("no hand-written source file is over 350 lines (tests, their helpers and generated code excepted)", async () => {
  const long: string[] = [];
  for (const dir of ["src", "tools", "bench"]) {
    for await (const file of sources(dir)) {
      if (file.startsWith("src/gen/") || isTestCode(file)) continue;
      const lines = (await Deno.readTextFile(new URL(file, root))).split("\n").length - 1;
      if (lines > 350) long.push(`${file}: ${lines} lines`);
    }
  }
  assert.deepEqual(long, []);
});

Deno.test("bench/ and tools/ reach core, control and client through their mod.ts, never a folder-private _file", async () => {
  const violations: string[] = [];
  for (const dir of ["tools", "bench"]) {
    for await (const file of sources(dir)) {
      const text = await Deno.readTextFile(new URL(file, root));
      for (const specifier of specifiers(text)) {
        if (/\/src\/[^/]+\/(.*\/)?_[^/]+\.ts$/.test(specifier)) violations.push(`${file} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
