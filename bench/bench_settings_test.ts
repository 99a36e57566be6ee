import assert from "node:assert/strict";
import { benchSettings } from "./bench_settings.ts";

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
  assert.deepEqual(settings.scenarios, [
    "steady",
    "binary",
    "scale-out",
    "storm",
    "ceilings",
    "players",
    "schemas",
    "route-apply",
  ]);
  assert.deepEqual(benchSettings(["--quick"]).settings.scenarios, ["steady", "storm", "ceilings", "players"]);
});
