/**
 * `deno task helm ensure|render|lint`: Helm, built from its Go module once into a cache folder, and
 * the plain manifests in `deploy/k8s/` rendered from the chart (`deploy/helm/veltrix/`), so that
 * the chart is the one source of both.
 *
 * - `ensure` builds `helm` with `go install helm.sh/helm/v4/cmd/helm@HELM_VERSION` into
 *   `$VELTRIX_HELM_HOME/bin` (default `~/.cache/veltrix/helm/bin`) unless that version is there.
 *   `deno task test` (tools/dev/test_env.ts) and `.ci/run` call it; it needs Go.
 * - `render` writes `deploy/k8s/veltrix.yaml`: `helm template veltrix deploy/helm/veltrix` with the
 *   chart's default values. `tests/helm_chart_test.ts` fails while the committed file differs.
 * - `lint` runs `helm lint` on the chart.
 *
 * @module
 */
import { exists, run } from "../dev/detached_process.ts";
import { answerHelp } from "../dev/usage.ts";

const HELM_USAGE = `usage: deno task helm ensure|render|lint

  ensure   fetch the pinned helm binary (once) and print its path
  render   write deploy/k8s/veltrix.yaml from the chart with its defaults
  lint     helm lint --strict on the chart`;

/** The Helm release built and used, from the Go module proxy. */
export const HELM_VERSION = "v4.3.2";

const root = new URL("../../", import.meta.url).pathname;

/** The chart's folder. */
export const CHART_DIR = `${root}deploy/helm/veltrix`;

/** The manifests rendered from the chart's default values. */
export const RENDERED_MANIFESTS = `${root}deploy/k8s/veltrix.yaml`;

/** Where the helm binary is built: `$VELTRIX_HELM_HOME/bin/helm`, by default under `~/.cache/veltrix/helm`. */
export function helmPath(): string {
  const home = Deno.env.get("VELTRIX_HELM_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/veltrix/helm`;
  return `${home}/bin/helm`;
}

/**
 * The module version the binary at `path` was built from: `go install` leaves helm's own version
 * stamp at its default (`v4.3`), so the build writes the exact one beside it (`helm.version`).
 */
async function builtVersion(path: string): Promise<string | undefined> {
  if (!(await exists(path))) return undefined;
  return (await Deno.readTextFile(`${path}.version`).catch(() => "")).trim() || undefined;
}

/** Builds helm HELM_VERSION into the cache unless it is there; returns its path. Takes minutes the first time. */
export async function ensureHelm(): Promise<string> {
  const path = helmPath();
  if ((await builtVersion(path)) === HELM_VERSION) return path;
  const go = (await exists("/usr/local/go/bin/go")) ? "/usr/local/go/bin/go" : "go";
  console.error(`helm: building helm.sh/helm/v4 ${HELM_VERSION} with go install into ${path} (once; minutes)`);
  const bin = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(bin, { recursive: true });
  const out = await new Deno.Command(go, {
    args: ["install", `helm.sh/helm/v4/cmd/helm@${HELM_VERSION}`],
    env: { GOBIN: bin, CGO_ENABLED: "0" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`go install helm.sh/helm/v4/cmd/helm@${HELM_VERSION} failed`);
  await Deno.writeTextFile(`${path}.version`, `${HELM_VERSION}\n`);
  return path;
}

/** Runs helm with `args`; resolves with its stdout, rejects with its stderr. */
export async function helm(args: string[]): Promise<string> {
  return await run(await ensureHelm(), args, `helm ${args[0]}`);
}

/** The chart rendered with its default values (and `valuesFiles`, in order), as `helm template` prints it. */
export function renderChart(valuesFiles: string[] = [], extra: string[] = []): Promise<string> {
  return helm(["template", "veltrix", CHART_DIR, ...valuesFiles.flatMap((file) => ["--values", file]), ...extra]);
}

/** The header of `deploy/k8s/veltrix.yaml`. */
export const RENDERED_HEADER = [
  "# Rendered from the Helm chart deploy/helm/veltrix with its default values by `deno task helm render`; do not edit.",
  "# Change the chart (or the config table its values come from) and render again: tests/helm_chart_test.ts fails",
  "# while this file differs from the chart.",
  "",
].join("\n");

/** What `deploy/k8s/veltrix.yaml` should hold. */
export async function renderedManifests(): Promise<string> {
  return RENDERED_HEADER + await renderChart();
}

if (import.meta.main) {
  answerHelp(Deno.args, HELM_USAGE);
  const [command] = Deno.args;
  if (command === "ensure") {
    console.log(await ensureHelm());
  } else if (command === "render") {
    await Deno.writeTextFile(RENDERED_MANIFESTS, await renderedManifests());
    console.log(`wrote ${RENDERED_MANIFESTS}`);
  } else if (command === "lint") {
    console.log(await helm(["lint", "--strict", CHART_DIR]));
  } else {
    console.error(HELM_USAGE);
    Deno.exit(2);
  }
}
