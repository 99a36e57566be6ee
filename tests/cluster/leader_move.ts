/**
 * A partition leader moved while traffic flows: every partition of `game.treasure` gets its replica
 * list rotated by `kafka-reassign-partitions` (no data moves), then a preferred-leader election
 * makes the new first replica its leader. SDK clients send through HAProxy the whole time; nothing
 * acked is lost. `deno task test:cluster` runs it (`all_faults.ts`).
 */
import assert from "node:assert/strict";
import { readMetadata } from "../../tools/kafka/cluster_metadata.ts";
import { waitInSync } from "../../tools/kafka/kafka_cluster.ts";
import { javaArgs } from "../../tools/kafka/kafka_jvm.ts";
import { run } from "../../tools/dev/detached_process.ts";
import { assertNothingLost, clusterFleet, NODES, pause } from "../support/cluster_setup.ts";
import { type ClusterFault, runFault } from "../support/fault_run.ts";

const TOPIC = "game.treasure";

/** Cluster fault 6 (see its name). */
export const leaderMove: ClusterFault = {
  name:
    "cluster fault 6: every leader of game.treasure moves (reassignment, then preferred-leader election) under traffic; nothing acked is lost",
  async fn() {
    const { brokers, fleet, traffic } = await clusterFleet();
    const dir = await Deno.makeTempDir({ prefix: "veltrix-reassign-" });
    try {
      const report = await runFault("6. partition leaders moved", traffic, async () => {
        const before = (await readMetadata(brokers, TOPIC)).partitions;
        const rotated = before.map((p) => ({ ...p, replicas: [...p.replicas.slice(1), p.replicas[0]!] }));
        const plan = `${dir}/plan.json`;
        await Deno.writeTextFile(
          plan,
          JSON.stringify({
            version: 1,
            partitions: rotated.map((p) => ({ topic: TOPIC, partition: p.partition, replicas: p.replicas })),
          }),
        );
        const started = performance.now();
        await run(
          "java",
          javaArgs("org.apache.kafka.tools.reassign.ReassignPartitionsCommand", [
            "--bootstrap-server",
            brokers,
            "--reassignment-json-file",
            plan,
            "--execute",
          ]),
          "kafka-reassign-partitions --execute",
        );
        // Only the order changed: the reassignment completes without moving data.
        for (;;) {
          const now = (await readMetadata(brokers, TOPIC)).partitions;
          if (
            rotated.every((r) => now.find((p) => p.partition === r.partition)?.replicas.join() === r.replicas.join())
          ) {
            break;
          }
          assert.ok(performance.now() - started < 30_000, "the reassignment completed within 30 s");
          await pause(100);
        }
        const elect = `${dir}/elect.json`;
        await Deno.writeTextFile(
          elect,
          JSON.stringify({ partitions: rotated.map((p) => ({ topic: TOPIC, partition: p.partition })) }),
        );
        await run(
          "java",
          javaArgs("org.apache.kafka.tools.LeaderElectionCommand", [
            "--bootstrap-server",
            brokers,
            "--election-type",
            "PREFERRED",
            "--path-to-json-file",
            elect,
          ]),
          "kafka-leader-election",
        );
        let after = (await readMetadata(brokers, TOPIC)).partitions;
        while (!rotated.every((r) => after.find((p) => p.partition === r.partition)?.leader === r.replicas[0])) {
          assert.ok(performance.now() - started < 60_000, `leaders moved within 60 s: ${JSON.stringify(after)}`);
          await pause(200);
          after = (await readMetadata(brokers, TOPIC)).partitions;
        }
        await waitInSync(NODES, 60_000);
        return {
          leadersBefore: before.map((p) => p.leader),
          leadersAfter: after.map((p) => p.leader),
          movedMs: Math.round(performance.now() - started),
        };
      });
      assertNothingLost(report, traffic);
      const moved = report.details as { leadersBefore: number[]; leadersAfter: number[] };
      assert.ok(moved.leadersBefore.some((leader, i) => leader !== moved.leadersAfter[i]), "leaders moved");
    } finally {
      await fleet.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
};
