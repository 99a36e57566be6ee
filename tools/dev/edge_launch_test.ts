import assert from "node:assert/strict";
import { EDGE_MAIN, EDGE_PERMISSIONS, edgeArgv, edgeEnvironment, edgePermissionsOf } from "./edge_launch.ts";

Deno.test("edgePermissionsOf() reads the --allow flags of the edge task, and refuses a line it cannot read", () => {
  assert.deepEqual(edgePermissionsOf("deno run --allow-net --allow-env src/main/main.ts"), [
    "--allow-net",
    "--allow-env",
  ]);
  assert.throws(() => edgePermissionsOf("deno run -A src/main/main.ts"), /not "deno run --allow-/);
  assert.ok(EDGE_PERMISSIONS.includes("--allow-net"));
});

Deno.test("edgeArgv() runs main.ts with the edge task's permissions, under a launcher, with extra flags", () => {
  assert.deepEqual(edgeArgv(), [Deno.execPath(), "run", ...EDGE_PERMISSIONS, EDGE_MAIN]);
  assert.deepEqual(
    edgeArgv({ launcher: ["prlimit", "--nofile=9:9"], allowAll: true, denoFlags: ["--cpu-prof"] }),
    ["prlimit", "--nofile=9:9", Deno.execPath(), "run", "--allow-all", "--cpu-prof", EDGE_MAIN],
  );
});

Deno.test("edgeEnvironment() listens on loopback on free ports, and the caller's values win", () => {
  const env = edgeEnvironment({ VELTRIX_PORT: "8800", KAFKA_BROKERS: "k:9092" });
  assert.equal(env.VELTRIX_HOST, "127.0.0.1");
  assert.equal(env.VELTRIX_ADMIN_PORT, "0");
  assert.equal(env.VELTRIX_PORT, "8800");
  assert.equal(env.KAFKA_BROKERS, "k:9092");
});
