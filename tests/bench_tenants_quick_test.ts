import assert from "node:assert/strict";
import type { TenantRun } from "../bench/tenants/tenant_report.ts";
import { allowedCpus, brokerPinFile } from "../bench/tenants/cpu_placement.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("deno task bench:tenants --quick: quiet events all acked, the flood held to its quota, both lane modes in .veltrix/bench-quick/, the broker's CPUs restored", async () => {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${root}bench/tenants/main.ts`, "--quick"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  assert.equal(result.code, 0, `bench:tenants --quick failed:\n${stderr}`);
  const written = /results: (\S+\.json), (\S+\.md)/.exec(stderr);
  assert.ok(written, `no results line in:\n${stderr}`);
  const [, json, md] = written;
  try {
    assert.match(json!, new RegExp(`^${root}\\.veltrix/bench-quick/tenants-[^/]+\\.json$`));
    assert.doesNotMatch(stderr, /tenants-latest\.\w+[,\n]/, "a quick run never writes tenants-latest.*");
    const run = JSON.parse(await Deno.readTextFile(json!)) as TenantRun;
    assert.equal(run.latest.writeLatest, false);
    assert.deepEqual(run.lanes.map((l) => l.lanes), ["tenant", "shared"]);
    const s = run.settings;
    for (const lane of run.lanes) {
      assert.deepEqual(lane.rounds.map((r) => r.mode).sort(), ["alone", "flooding", "neighbour"]);
      for (const r of lane.rounds) {
        const what = `${lane.lanes} ${r.mode}`;
        assert.equal(r.quiet.sent, s.quietRate * s.roundS, what);
        assert.equal(r.quiet.acked, r.quiet.sent, `${what}: every quiet event acked`);
        assert.equal(r.quiet.rejected, 0, what);
        assert.ok(r.edgeQuietP99Ms !== null && r.edgeQuietP99Ms > 0, `${what}: the edge's own quiet p99 is read`);
        if (r.mode === "alone") assert.equal(r.other, undefined, what);
        if (r.mode === "neighbour") assert.equal(r.other!.acked, r.other!.sent, `${what}: within quota, all acked`);
        if (r.mode === "flooding") {
          const flood = r.other!;
          // A flood: more offered than its bucket can let through (the rate reached depends on the machine).
          assert.ok(flood.sent > s.floodQuota * (2 + s.roundS + 1), `${what}: offered only ${flood.sent}`);
          assert.deepEqual(Object.keys(flood.rejectCodes), ["OVERLOADED"], what);
          assert.equal(flood.acked + flood.rejected, flood.sent, `${what}: every flood event answered`);
          // Its bucket: a burst of twice the quota, then the quota (a second of slack for the last frames).
          assert.ok(flood.acked <= s.floodQuota * (2 + s.roundS + 1), `${what}: ${flood.acked} acked over quota`);
          assert.ok(flood.acked >= s.floodQuota * s.roundS * 0.5, `${what}: only ${flood.acked} acked`);
        }
      }
      assert.ok(lane.modes.flooding.quietP99Ms.median > 0);
    }
    assert.match(await Deno.readTextFile(md!), /\| tenant \| flooding \|[\s\S]*\| shared \| flooding \|/);
    const broker = run.placement.broker;
    if (broker !== undefined && "pid" in broker) {
      // Unless another run still holds it (then that run puts it back), the broker has its CPUs again.
      const held = await Deno.stat(brokerPinFile()).then(() => true, () => false);
      if (!held) assert.equal(await allowedCpus(broker.pid), broker.before, "the broker's CPUs are put back");
    }
  } finally {
    for (const file of [json!, md!]) await Deno.remove(file).catch(() => {});
  }
});
