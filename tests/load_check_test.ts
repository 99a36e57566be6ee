/**
 * The edge-ingest acceptance run: `deno task load` (the benchmark's generator) from a separate
 * process, 20 connections send 10,000 events of the treasure-hunt mix (2,000 a second for 5 s); all are acked, and kcat finds every id in exactly the topics the default map
 * names, once, keyed by its player. The run's throughput and latency are printed, not asserted.
 */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { TEST_JWT_SECRET } from "./support/tokens.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test("20 connections, 10,000 treasure-hunt events: all acked, each in exactly its topics", async () => {
  const edge = await startEdgeProcess();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        `${root}bench/load.ts`,
        "--url",
        edge.ingestUrl,
        "--connections",
        "20",
        "--rate",
        "2000",
        "--duration-s",
        "5",
        "--drain-s",
        "60",
        "--verify",
        "--brokers",
        testBrokers(),
      ],
      env: { VELTRIX_JWT_SECRET: TEST_JWT_SECRET },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    assert.ok(stdout !== "", new TextDecoder().decode(out.stderr));
    const summary = JSON.parse(stdout.split("\n").at(-1)!);
    console.log(`load run: ${JSON.stringify(summary)}`);
    assert.deepEqual(
      { acked: summary.acked, rejected: summary.rejected, ...summary.verify, records: undefined },
      {
        acked: 10_000,
        rejected: 0,
        found: 10_000,
        missing: 0,
        misrouted: 0,
        duplicates: 0,
        wrongKey: 0,
        records: undefined,
      },
      `summary: ${stdout}\nstderr: ${new TextDecoder().decode(out.stderr)}`,
    );
    assert.ok(out.success, `load tool exited ${out.code}`);
  } finally {
    await edge.stop();
  }
});
