import assert from "node:assert/strict";
import type { BenchRun } from "../bench/bench_result.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("deno task bench --quick runs every scenario against the real broker, loses no acked event and never writes latest.*", async () => {
  const out = await Deno.makeTempDir({ prefix: "veltrix-bench-quick-" });
  try {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `${root}bench/main.ts`, "--quick", `--out=${out}`],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(result.stdout);
    assert.equal(result.code, 0, `bench --quick failed:\n${stdout}\n${new TextDecoder().decode(result.stderr)}`);
    const written = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.equal(written.length, 3, written.join(", "));
    assert.ok(written.every((name) => !name.startsWith("latest.")), `a quick run wrote ${written.join(", ")}`);
    const stamp = written[0]!.replace(/\.json$/, "");
    const run = JSON.parse(await Deno.readTextFile(`${out}/${stamp}.json`)) as BenchRun;
    assert.deepEqual(run.latest?.writeLatest, false);
    assert.ok(run.machineLoad && run.machineLoad.before.one >= 0 && run.machineLoad.after!.one >= 0);

    assert.deepEqual(
      [...new Set(run.rows.map((r) => r.scenario))],
      ["steady", "route-storm", "ceiling", "many-players", "batched"],
    );
    assert.equal(run.summary.lost, 0);
    assert.equal(run.summary.unanswered, 0);
    for (const row of run.rows) {
      assert.ok(row.sent > 0, `${row.label} sent nothing`);
      assert.equal(row.acked, row.sent, `${row.scenario} ${row.label}: ${row.acked}/${row.sent} acked`);
      if (row.lost !== undefined) assert.equal(row.lost, 0, `${row.scenario} ${row.label} lost events`);
    }
    const storm = run.rows.find((r) => r.scenario === "route-storm" && r.routeApplyP99Ms !== undefined);
    assert.ok(storm, "the route storm row reports route-apply p99");
    assert.match(storm.notes ?? "", /^(\d+)\/\1 updates applied/);
    assert.deepEqual(written, ["json", "md", "svg"].map((ext) => `${stamp}.${ext}`));
    assert.match(await Deno.readTextFile(`${out}/${stamp}.svg`), /^<svg[^>]*>[\s\S]*<\/svg>\n$/);
    assert.match(await Deno.readTextFile(`${out}/${stamp}.md`), /latest\.\*: not replaced, a --quick run never/);
    assert.match(stdout, /Highest steady rate holding the SLA/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
