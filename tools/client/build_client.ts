/**
 * `deno task build:client`: builds the npm package of the client SDK (`src/client/`) into
 * `dist/client/` (git ignores `dist/`):
 *
 * - `esm/`: one ES module per source file, with its `.d.ts`, compiled by TypeScript's `tsc`;
 * - `browser/veltrix-client.min.js`: the whole SDK as one minified ES module for a `<script
 *   type="module">`, with its source map, bundled by esbuild;
 * - `package.json` (name and version from `src/client/jsr.json`, `exports`, `types`, no
 *   dependencies) and the SDK's README.
 *
 * It prints one JSON line with the bundle's size, raw and gzipped. `--out DIR` builds elsewhere.
 *
 * @module
 */
import * as esbuild from "esbuild";
import ts from "typescript";
import { answerHelp } from "../dev/usage.ts";

const BUILD_USAGE = `usage: deno task build:client [--out DIR]

Builds the client SDK's npm package (ES modules and types with tsc, a browser bundle with esbuild)
into DIR, by default dist/client/.`;

const root = new URL("../../", import.meta.url);
const sourceDir = new URL("src/client/", root).pathname;

/** The browser bundle's path inside the package. */
export const BUNDLE_PATH = "browser/veltrix-client.min.js";

/** What a build wrote, and how big the browser bundle is. */
export interface ClientBuild {
  readonly outDir: string;
  readonly name: string;
  readonly version: string;
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
}

/** The package's identity, kept once in `src/client/jsr.json` for JSR and npm alike. */
async function identity(): Promise<{ name: string; version: string; description: string }> {
  const jsr = JSON.parse(await Deno.readTextFile(`${sourceDir}jsr.json`));
  return {
    name: jsr.name,
    version: jsr.version,
    description: "Veltrix game-client SDK: send events to a Veltrix edge over WebSocket, resend until Kafka has them.",
  };
}

/** Compiles the SDK's modules to ES2022 with declarations; throws with tsc's diagnostics on any error. */
function compileModules(outDir: string): void {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    declaration: true,
    sourceMap: true,
    rewriteRelativeImportExtensions: true,
    rootDir: sourceDir,
    outDir,
    noEmitOnError: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram([`${sourceDir}mod.ts`], options);
  const outside = program.getSourceFiles().filter((file) =>
    !file.isDeclarationFile && !file.fileName.startsWith(sourceDir)
  );
  if (outside.length > 0) {
    throw new Error(`the SDK must stand alone; it imports ${outside.map((file) => file.fileName).join(", ")}`);
  }
  const result = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0 || result.emitSkipped) {
    const host = {
      getCanonicalFileName: (f: string) => f,
      getCurrentDirectory: () => sourceDir,
      getNewLine: () => "\n",
    };
    throw new Error(`tsc failed:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

/** Bundles the SDK into one minified browser ES module with a source map. */
async function bundle(outDir: string): Promise<void> {
  try {
    await esbuild.build({
      entryPoints: [`${sourceDir}mod.ts`],
      outfile: `${outDir}/${BUNDLE_PATH}`,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      sourcemap: true,
      legalComments: "none",
      logLevel: "error",
    });
  } finally {
    await esbuild.stop();
  }
}

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(compressed).arrayBuffer()).byteLength;
}

/** Builds the package into `outDir` (emptied first) and returns what it wrote. */
export async function buildClient(outDir: string): Promise<ClientBuild> {
  const { name, version, description } = await identity();
  await Deno.remove(outDir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Deno.mkdir(outDir, { recursive: true });
  compileModules(`${outDir}/esm`);
  await bundle(outDir);
  const packageJson = {
    name,
    version,
    description,
    type: "module",
    sideEffects: false,
    main: "./esm/mod.js",
    module: "./esm/mod.js",
    types: "./esm/mod.d.ts",
    browser: `./${BUNDLE_PATH}`,
    exports: {
      ".": { types: "./esm/mod.d.ts", default: "./esm/mod.js" },
      "./browser": { types: "./esm/mod.d.ts", default: `./${BUNDLE_PATH}` },
      "./package.json": "./package.json",
    },
    files: ["esm/", "browser/", "README.md"],
    engines: { node: ">=20" },
    keywords: ["veltrix", "websocket", "kafka", "game", "events"],
  };
  await Deno.writeTextFile(`${outDir}/package.json`, `${JSON.stringify(packageJson, null, 2)}\n`);
  await Deno.copyFile(`${sourceDir}README.md`, `${outDir}/README.md`);
  const bundleBytes = await Deno.readFile(`${outDir}/${BUNDLE_PATH}`);
  return { outDir, name, version, bundleBytes: bundleBytes.length, bundleGzipBytes: await gzipSize(bundleBytes) };
}

if (import.meta.main) {
  answerHelp(Deno.args, BUILD_USAGE);
  const at = Deno.args.indexOf("--out");
  const outDir = at === -1 ? new URL("dist/client", root).pathname : Deno.args[at + 1]!;
  const built = await buildClient(outDir);
  console.log(JSON.stringify({ msg: "built", ...built }));
}
