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

/**
 * The concern folders of `src/core/` and the concerns each may import (besides itself and
 * `src/gen/`). The table has no circle, so neither do the folders.
 */
const CORE_ALLOWED: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  schemas: [],
  frames: ["errors"],
  ops: ["errors"],
  route_map: ["errors", "frames", "schemas"],
  routing: ["errors", "frames", "route_map", "schemas"],
  updates: ["errors", "route_map"],
  admission: ["errors", "frames", "route_map", "routing"],
  fleet: ["route_map"],
  testing: [],
};

/** Kafka client libraries: only `src/kafka/` may import them. */
const KAFKA_CLIENT = /^(npm:)?(kafkajs|@platformatic\/kafka)(@|\/|$)/;

/**
 * Every source file under `dir` (`.ts`, and `.js` such as the dashboard's browser scripts), as
 * paths relative to the repository root.
 */
async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, root))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|js)$/.test(entry.name)) yield path;
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

/** The repository path `specifier` points at from `file`; undefined for a package. */
function resolve(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return new URL(specifier, new URL(file, root)).pathname.slice(root.pathname.length);
}

/** The folder of `src/` that `specifier`, imported by `file`, points into; undefined outside `src/`. */
function targetFolder(file: string, specifier: string): string | undefined {
  const resolved = resolve(file, specifier);
  if (resolved === undefined) return undefined;
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

Deno.test("each folder of src/ imports only the folders its arrow allows (tests beside the code and their testing/ helpers included)", async () => {
  const violations: string[] = [];
  for (const { file, folder, text } of await srcFiles()) {
    const allowed = ALLOWED[folder];
    assert.ok(allowed, `src/${folder}/ has a rule`);
    for (const specifier of specifiers(text)) {
      const target = targetFolder(file, specifier);
      if (target === undefined || allowed.includes(target)) continue;
      if (file.endsWith("_test.ts") && folder === "edge" && target === "control") continue;
      violations.push(`${file} imports ${specifier} (${target})`);
    }
  }
  assert.deepEqual(violations, []);
});

Deno.test("nothing in src/ imports tools/, tests/ or bench/, tests and test helpers included", async () => {
  const violations: string[] = [];
  for (const { file, text } of await srcFiles()) {
    for (const specifier of specifiers(text)) {
      const target = targetFolder(file, specifier);
      if (target === "(tools)" || target === "(tests)" || target === "(bench)") {
        violations.push(`${file} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

/** The concern folder of `src/core/` a path is in, or undefined outside `src/core/<concern>/`. */
function coreConcern(path: string): string | undefined {
  const parts = path.split("/");
  return parts[0] === "src" && parts[1] === "core" && parts.length > 3 ? parts[2] : undefined;
}

Deno.test("each concern folder of src/core/ imports only the concerns its arrow allows", async () => {
  const violations: string[] = [];
  for (const { file, text } of await srcFiles()) {
    const concern = coreConcern(file);
    if (concern === undefined || isTestCode(file)) continue;
    const allowed = CORE_ALLOWED[concern];
    assert.ok(allowed, `src/core/${concern}/ has a rule`);
    for (const specifier of specifiers(text)) {
      const resolved = resolve(file, specifier);
      if (resolved === undefined || !resolved.startsWith("src/core/")) continue;
      const target = coreConcern(resolved);
      if (target === concern || (target !== undefined && allowed.includes(target))) continue;
      violations.push(`${file} imports ${specifier} (${target ?? "core/mod.ts"})`);
    }
  }
  assert.deepEqual(violations, []);
});

Deno.test("no import circle anywhere in src/: the files, tests included, form a graph without cycles", async () => {
  const graph = new Map<string, string[]>();
  for (const { file, text } of await srcFiles()) {
    graph.set(
      file,
      specifiers(text).map((s) => resolve(file, s)).filter((t): t is string => t?.startsWith("src/") === true),
    );
  }
  const circles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") circles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  assert.deepEqual(circles, []);
});

Deno.test("the circle check finds a circle when there is one", () => {
  // The same walk as above on a three-file circle, so that a broken walk cannot pass silently.
  const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]);
  const found: string[] = [];
  const state = new Map<string, string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next].join(" -> "));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  visit("a");
  assert.deepEqual(found, ["a -> b -> c -> a"]);
});

Deno.test("no folder of src/ holds more than 20 hand-written files besides its tests and testing/ helpers", async () => {
  const counts = new Map<string, number>();
  for (const { file } of await srcFiles()) {
    if (isTestCode(file)) continue;
    const folder = file.slice(0, file.lastIndexOf("/"));
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  assert.ok(counts.size > 10, "the walk saw the folders of src/");
  assert.deepEqual([...counts].filter(([, n]) => n > 20).map(([folder, n]) => `${folder}: ${n} files`), []);
});

/** True for tests, benches, and the helpers under a `testing/` folder that serve the tests beside them. */
function isTestCode(file: string): boolean {
  return /(_test|_bench)\.(ts|js)$/.test(file) || file.includes("/testing/");
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
 * into functions (code generation with `new Function`; no loader is set and remote refs are refused);
 * re2js runs their patterns in linear time (pure JavaScript, no native code).
 */
const CORE_PACKAGES = /^(@bufbuild\/protobuf(\/wire|\/wkt)?|ajv\/dist\/2020\.js|re2js)$/;

Deno.test("core code imports no package but protobuf-es, ajv's 2020-12 validator and re2js", async () => {
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

Deno.test("no hand-written source file, .ts or .js, is over 350 lines (tests, their helpers and generated code excepted)", async () => {
  const long: string[] = [];
  const seen: string[] = [];
  for (const dir of ["src", "tools", "bench"]) {
    for await (const file of sources(dir)) {
      if (file.startsWith("src/gen/") || isTestCode(file)) continue;
      seen.push(file);
      const lines = (await Deno.readTextFile(new URL(file, root))).split("\n").length - 1;
      if (lines > 350) long.push(`${file}: ${lines} lines`);
    }
  }
  assert.ok(seen.includes("src/edge/dashboard/dashboard_feed_script.js"), "the walk saw the browser scripts");
  assert.deepEqual(long, []);
});

/**
 * A folder's `mod.ts` is its API for code outside `src/`: tools, benches and examples reach a folder
 * that has one only through it. Inside `src/`, folders import the files they need along their
 * arrows, and tests in `tests/` may import any file they test.
 */
Deno.test("tools/, bench/ and examples/ reach a folder of src/ that has a mod.ts only through that mod.ts", async () => {
  const violations: string[] = [];
  for (const dir of ["tools", "bench", "examples"]) {
    for await (const file of sources(dir)) {
      const text = await Deno.readTextFile(new URL(file, root));
      for (const specifier of specifiers(text)) {
        const resolved = resolve(file, specifier);
        if (resolved === undefined || !resolved.startsWith("src/") || resolved.startsWith("src/gen/")) continue;
        const top = resolved.split("/").slice(0, 2).join("/");
        if (resolved === `${top}/mod.ts`) continue;
        if (await exists(`${top}/mod.ts`)) violations.push(`${file} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

Deno.test("every mod.ts of src/ opens with a @module doc that names who it is for", async () => {
  const missing: string[] = [];
  for await (const file of sources("src")) {
    if (!file.endsWith("/mod.ts") || file.startsWith("src/gen/")) continue;
    const text = await Deno.readTextFile(new URL(file, root));
    const doc = text.match(/^\/\*\*[\s\S]*?\*\//)?.[0] ?? "";
    if (!doc.includes("@module") || !doc.includes("outside `src/`")) missing.push(file);
  }
  assert.deepEqual(missing, []);
});

/** True when the repository holds `path`. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(new URL(path, root));
    return true;
  } catch {
    return false;
  }
}
