import assert from "node:assert/strict";
import { clusterBootstrap, clusterNodes, minInSyncOf, nodeProperties, replicationFactorOf } from "./cluster_layout.ts";

const template = await Deno.readTextFile(new URL("cluster.properties", import.meta.url));

/** The properties as a map, comments and blank lines left out. */
function parse(text: string): Map<string, string> {
  return new Map(
    text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

Deno.test("clusterNodes() gives each of three nodes its own client and controller port, apart from the dev broker's", () => {
  const nodes = clusterNodes(3);
  const ports = nodes.flatMap((n) => [n.brokerPort, n.controllerPort]);
  assert.equal(new Set(ports).size, 6);
  assert.ok(!ports.includes(9092) && !ports.includes(9093));
  assert.equal(clusterBootstrap(3), "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094");
});

Deno.test("nodeProperties() configures a three-node cluster as production would: RF 3, min ISR 2, no unclean election", () => {
  const node = clusterNodes(3)[1]!;
  const props = parse(nodeProperties(template, 3, node, "/data/node-2"));
  assert.ok(![...props.values()].some((value) => /@[A-Z_]+@/.test(value)), "every placeholder is filled");
  assert.equal(props.get("node.id"), "2");
  assert.equal(props.get("process.roles"), "broker,controller");
  assert.equal(props.get("listeners"), "PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193");
  assert.equal(props.get("controller.quorum.voters"), "1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194");
  assert.equal(props.get("log.dirs"), "/data/node-2");
  assert.equal(props.get("default.replication.factor"), "3");
  assert.equal(props.get("min.insync.replicas"), "2");
  assert.equal(props.get("unclean.leader.election.enable"), "false");
  for (const key of ["offsets.topic", "transaction.state.log", "share.coordinator.state.topic"]) {
    assert.equal(props.get(`${key}.replication.factor`), "3", key);
  }
  assert.equal(props.get("transaction.state.log.min.isr"), "2");
  assert.equal(props.get("auto.create.topics.enable"), "false");
});

Deno.test("replicationFactorOf() and minInSyncOf() never ask more than the nodes can give", () => {
  assert.deepEqual([1, 2, 3, 5].map(replicationFactorOf), [1, 2, 3, 3]);
  assert.deepEqual([1, 2, 3, 5].map(minInSyncOf), [1, 1, 2, 2]);
});
