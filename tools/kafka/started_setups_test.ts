import assert from "node:assert/strict";
import { DEV_BROKER, SECURE_BROKER, setupName, setupsToActOn, startedSetups } from "./started_setups.ts";

/** A Kafka home with pid files naming this (live) process or a pid that cannot be alive. */
async function home(files: Record<string, "alive" | "dead">): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-kafka-home-" });
  for (const [path, state] of Object.entries(files)) {
    const at = `${dir}/${path}`;
    await Deno.mkdir(at.slice(0, at.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(at, String(state === "alive" ? Deno.pid : 2 ** 22 + 1));
  }
  return dir;
}

Deno.test("startedSetups() finds a 3-node cluster that up started, by any live node's pid file", async () => {
  const dir = await home({ "cluster-3/node-1/node.pid": "dead", "cluster-3/node-2/node.pid": "alive" });
  try {
    assert.deepEqual(await startedSetups(dir), [{ kind: "cluster", nodes: 3 }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startedSetups() finds the dev broker first, then clusters by size, and skips dead ones", async () => {
  const dir = await home({
    "broker.pid": "alive",
    "cluster-5/node-4/node.pid": "alive",
    "cluster-3/node-1/node.pid": "alive",
    "cluster-2/node-1/node.pid": "dead",
  });
  try {
    assert.deepEqual(await startedSetups(dir), [DEV_BROKER, { kind: "cluster", nodes: 3 }, {
      kind: "cluster",
      nodes: 5,
    }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startedSetups() finds nothing in a home that does not exist or holds only dead pids", async () => {
  const dir = await home({ "broker.pid": "dead" });
  try {
    assert.deepEqual(await startedSetups(dir), []);
    assert.deepEqual(await startedSetups(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("status and down act on what --nodes names, else on what up started, else on the dev broker", () => {
  const cluster = { kind: "cluster", nodes: 3 } as const;
  assert.deepEqual(setupsToActOn(undefined, [cluster]), [cluster]);
  assert.deepEqual(setupsToActOn(undefined, []), [DEV_BROKER]);
  assert.deepEqual(setupsToActOn(1, [cluster]), [DEV_BROKER]);
  assert.deepEqual(setupsToActOn(3, []), [cluster]);
  assert.equal(setupName(cluster), "the 3-node cluster");
  assert.equal(setupName(DEV_BROKER), "the dev broker");
});

Deno.test("startedSetups() finds the secure dev broker after the dev broker, and names it", async () => {
  const dir = await home({ "broker.pid": "alive", "secure/broker.pid": "alive" });
  try {
    assert.deepEqual(await startedSetups(dir), [DEV_BROKER, SECURE_BROKER]);
    assert.equal(setupName(SECURE_BROKER), "the secure dev broker");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
