import assert from "node:assert/strict";
import { benchSettings, FULL_SCENARIOS, isFullRun } from "./bench_settings.ts";

Deno.test("benchSettings() with --target runs the steady ladder on its own edge and on the target, in one run", () => {
  const { settings } = benchSettings([
    "--target",
    "ws://127.0.0.1:8800/v1/ingest",
    "--target-admin",
    "http://127.0.0.1:8901,http://127.0.0.1:8902",
    "--target-label",
    "fleet",
  ]);
  assert.deepEqual(settings.scenarios, ["steady", "target"]);
  assert.deepEqual(settings.target, {
    url: "ws://127.0.0.1:8800/v1/ingest",
    label: "fleet",
    admin: "http://127.0.0.1:8901,http://127.0.0.1:8902",
  });
});

Deno.test("benchSettings() without --target keeps the full set of scenarios and no target", () => {
  const { settings, quick } = benchSettings([]);
  assert.equal(quick, false);
  assert.equal(settings.target, undefined);
  assert.deepEqual(settings.scenarios, [...FULL_SCENARIOS]);
  assert.ok(FULL_SCENARIOS.includes("batched") && FULL_SCENARIOS.includes("route-apply"));
  assert.deepEqual(benchSettings(["--quick"]).settings.scenarios, [
    "steady",
    "storm",
    "ceilings",
    "players",
    "batched",
  ]);
});

Deno.test("benchSettings() sends a --quick run's results to the git-ignored .veltrix/, never to bench/results/", async () => {
  const quickOut = benchSettings(["--quick"]).opts.out!;
  assert.ok(quickOut.endsWith("/.veltrix/bench-quick"), quickOut);
  assert.ok(!quickOut.includes("/bench/results"));
  assert.ok(benchSettings([]).opts.out!.endsWith("/bench/results"));
  const root = new URL("../", import.meta.url).pathname;
  const ignored = await new Deno.Command("git", {
    args: ["check-ignore", "-q", `${quickOut}/latest.json`],
    cwd: root,
  }).output();
  assert.equal(ignored.code, 0, `${quickOut} is ignored by git`);
});

Deno.test("isFullRun() is true only without --quick or --target, with every scenario and the default shape", () => {
  assert.equal(isFullRun(false, benchSettings([]).settings), true);
  assert.equal(isFullRun(true, benchSettings(["--quick"]).settings), false);
  assert.equal(isFullRun(false, benchSettings(["--scenarios", "steady,route-apply"]).settings), false);
  assert.equal(isFullRun(false, benchSettings(["--target", "ws://127.0.0.1:8800/v1/ingest"]).settings), false);
  for (const option of [["--rates", "2000"], ["--duration-s", "3"], ["--players", "1000"], ["--edges", "2"]]) {
    assert.equal(isFullRun(false, benchSettings(option).settings), false, option.join(" "));
  }
  assert.equal(isFullRun(false, benchSettings(["--duration-s", "12", "--workers", "1"]).settings), true);
});
