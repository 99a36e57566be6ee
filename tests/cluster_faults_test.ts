/**
 * The fast subset of the cluster faults, in `deno task test`: the leader broker killed -9 (the
 * three-node cluster) and an edge killed -9 behind HAProxy (the fleet), each under steady SDK
 * traffic, with nothing acked lost. `deno task test:cluster` runs all six (`tests/cluster/`). They
 * bring up the local three-node cluster themselves, so they run only when the tests use the local
 * dev Kafka (`KAFKA_BROKERS` unset).
 */
import { leaderKill } from "./cluster/broker_faults.ts";
import { edgeKill } from "./cluster/edge_faults.ts";
import { usingLocalDevBroker } from "./support/kafka_target.ts";

for (const fault of [edgeKill, leaderKill]) {
  Deno.test({ name: fault.name, ignore: !usingLocalDevBroker(), fn: fault.fn });
}
