/**
 * The fast subset of the cluster faults, in `deno task test`: an edge killed -9 behind HAProxy (the
 * fleet) and the leader broker killed -9 (the three-node cluster), each under steady SDK traffic,
 * with nothing acked lost. `deno task test:cluster` runs all six (`tests/cluster/`). They bring up
 * the local three-node cluster themselves, so they run only when the tests use the local dev Kafka
 * (`KAFKA_BROKERS` unset); a cluster this file started is stopped at its end, so its three JVMs do
 * not take CPU from the rest of the suite.
 */
import { clusterNodes } from "../tools/kafka/cluster_layout.ts";
import { clusterDown, nodePid } from "../tools/kafka/kafka_cluster.ts";
import { leaderKill } from "./cluster/broker_faults.ts";
import { edgeKill } from "./cluster/edge_faults.ts";
import { NODES } from "./support/cluster_setup.ts";
import { usingLocalDevBroker } from "./support/kafka_target.ts";

const ignore = !usingLocalDevBroker();
const runningBefore = (await Promise.all(clusterNodes(NODES).map((node) => nodePid(NODES, node.id))))
  .some((pid) => pid !== undefined);

for (const fault of [edgeKill, leaderKill]) Deno.test({ name: fault.name, ignore, fn: fault.fn });

Deno.test({
  name: "the cluster faults stop the three-node cluster when they started it",
  ignore: ignore || runningBefore,
  fn: () => clusterDown(NODES),
});
