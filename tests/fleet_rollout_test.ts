/**
 * Rollout status, the loop closed, on three real edges and the real broker: each edge writes its
 * status to the edges topic; one edge lacks the signing key, so `routes push --wait` fails naming
 * it and its reason; restarted with the key, it catches up from the routes topic, and the next
 * `push --wait` converges on every live edge. Runs on both Kafka clients.
 */
import assert from "node:assert/strict";
import { toBinary } from "@bufbuild/protobuf";
import { SignedRouteMapSchema } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { runRoutesCli } from "../src/control/cli/routes_cli.ts";
import { KAFKA_CLIENTS } from "../src/kafka/mod.ts";
import { type EdgeProcess, ownFleetTopics, startEdgeProcess } from "./support/edge_process.ts";
import { fleetUntil } from "./support/fleet_view.ts";
import { makeSigningKey, signRouteMap, simpleMap } from "../src/core/updates/testing/route_signing.ts";

async function cli(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runRoutesCli(args, (line) => lines.push(line));
  return { code, lines };
}

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] push --wait fails naming the edge that lacks the key; after its restart with the key, the fleet converges`, async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const ops = await makeSigningKey(`ops-rollout-${run}`);
    const other = await makeSigningKey(`ops-other-${run}`);
    const common = {
      ...ownFleetTopics(),
      VELTRIX_EDGE_HEARTBEAT_MS: "300",
      VELTRIX_EDGE_STALE_MS: "3000",
      VELTRIX_KAFKA_CLIENT: client,
    };
    const keyed = { ...common, VELTRIX_TRUSTED_KEYS: `${ops.trustEntry},${other.trustEntry}` };
    const ids = [`edge-a-${run}`, `edge-b-${run}`, `edge-c-${run}`];
    const dir = await Deno.makeTempDir({ prefix: "veltrix-rollout-" });
    const edges: EdgeProcess[] = await Promise.all([
      startEdgeProcess({ ...keyed, VELTRIX_EDGE_ID: ids[0]! }),
      startEdgeProcess({ ...keyed, VELTRIX_EDGE_ID: ids[1]! }),
      startEdgeProcess({ ...common, VELTRIX_TRUSTED_KEYS: other.trustEntry, VELTRIX_EDGE_ID: ids[2]! }),
    ]);
    try {
      const [a] = edges;
      const joined = await fleetUntil(a!, (f) => f.live.length === 3, "three live edges");
      assert.deepEqual(joined.live.map((e) => [e.edgeId, e.version, e.source]), ids.map((id) => [id, "1", "embedded"]));

      const write = async (version: bigint) => {
        const path = `${dir}/v${version}.signed`;
        await Deno.writeFile(path, toBinary(SignedRouteMapSchema, await signRouteMap(ops, simpleMap(version))));
        return path;
      };
      const admin = `http://127.0.0.1:${a!.adminPort}`;
      const failing = await cli(["push", "--admin", admin, "--wait", "--timeout", "20s", await write(2n)]);
      console.log(`push --wait, one edge without the key (exit ${failing.code}):\n${failing.lines.join("\n")}`);
      assert.equal(failing.code, 1);
      const report = failing.lines.join("\n");
      // The report is the fleet when edge c's refusal shows, which may be before edge b applied it.
      assert.match(report, /rollout of version 2 FAILED after [\d.]+ s: [12]\/3 live edges have it/);
      assert.match(report, new RegExp(`${ids[2]}: refused it: UNKNOWN_SIGNING_KEY: key id "${ops.id}" is not trusted`));
      assert.doesNotMatch(report, new RegExp(`(${ids[0]}|${ids[1]}): refused`));
      await fleetUntil(
        a!,
        (f) => f.live.filter((e) => e.version === "2").length === 2 && f.live.some((e) => e.refused?.version === "2"),
        "version 2 on a and b, refused by c",
      );

      await edges[2]!.stop();
      edges[2] = await startEdgeProcess({ ...keyed, VELTRIX_EDGE_ID: ids[2]! });
      await fleetUntil(
        a!,
        (f) => f.live.length === 3 && f.live.every((e) => e.version === "2"),
        "version 2 everywhere",
      );
      const converging = await cli(["push", "--admin", admin, "--wait", "--timeout", "20s", await write(3n)]);
      console.log(`push --wait after the restart (exit ${converging.code}):\n${converging.lines.join("\n")}`);
      assert.equal(converging.code, 0);
      assert.match(converging.lines.join("\n"), /version 3 is in force on 3\/3 live edges after [\d.]+ s/);

      const status = await cli(["status", "--admin", admin]);
      console.log(status.lines.join("\n"));
      assert.equal(status.code, 0);
      for (const id of ids) assert.match(status.lines.join("\n"), new RegExp(`${id}\\s+live\\s+3\\s`));
      await edges[1]!.stop();
      const gone = await fleetUntil(a!, (f) => f.gone.some((e) => e.edgeId === ids[1]), "edge b counted as gone");
      assert.deepEqual(gone.live.map((e) => e.edgeId), [ids[0], ids[2]]);
    } finally {
      await Promise.all(edges.map((edge) => edge.stop()));
      await Deno.remove(dir, { recursive: true });
    }
  });
}
