/**
 * Every cluster fault (1 to 6), in the order: `deno task test:cluster`. A file of its own,
 * not `*_test.ts`, so that `deno task test` does not run it; `tests/cluster_faults_test.ts` runs
 * the fast subset there.
 */
import { inSyncQuorumLoss, leaderKill, rollingBrokerRestart } from "./broker_faults.ts";
import { edgeKill, rollingEdgeDeploy } from "./edge_faults.ts";
import { leaderMove } from "./leader_move.ts";

for (const fault of [leaderKill, rollingBrokerRestart, inSyncQuorumLoss, rollingEdgeDeploy, edgeKill, leaderMove]) {
  Deno.test(fault.name, fault.fn);
}
