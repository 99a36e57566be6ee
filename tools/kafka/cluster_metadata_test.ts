import assert from "node:assert/strict";
import { leaderCounts, parseMetadata, underReplicated } from "./cluster_metadata.ts";

const part = (partition: number, leader: number, replicas: number[], isrs: number[]) => ({
  partition,
  leader,
  replicas: replicas.map((id) => ({ id })),
  isrs: isrs.map((id) => ({ id })),
});

const SAMPLE = JSON.stringify({
  brokers: [{ id: 3, name: "127.0.0.1:19094" }, { id: 1, name: "127.0.0.1:19092" }],
  topics: [
    { topic: "game.treasure", partitions: [part(0, 2, [2, 3, 1], [2, 3, 1]), part(1, 2, [3, 1, 2], [2, 1])] },
    { topic: "game.player-activity", partitions: [part(0, 1, [1, 2, 3], [1, 2, 3]), part(1, -1, [1, 2, 3], [])] },
  ],
});

Deno.test("parseMetadata() reads kcat's -L -J brokers, leaders, replicas and in-sync replicas", () => {
  const metadata = parseMetadata(SAMPLE);
  assert.deepEqual(metadata.brokers, [1, 3]);
  assert.equal(metadata.partitions.length, 4);
  assert.deepEqual(metadata.partitions[1], {
    topic: "game.treasure",
    partition: 1,
    leader: 2,
    replicas: [3, 1, 2],
    isr: [2, 1],
  });
});

Deno.test("underReplicated() lists partitions missing an in-sync replica or a leader", () => {
  const lagging = underReplicated(parseMetadata(SAMPLE)).map((p) => `${p.topic}/${p.partition}`);
  assert.deepEqual(lagging, ["game.treasure/1", "game.player-activity/1"]);
});

Deno.test("leaderCounts() counts the partitions each broker leads, most first, for one topic or all", () => {
  const metadata = parseMetadata(SAMPLE);
  assert.deepEqual(leaderCounts(metadata, "game.treasure"), [[2, 2]]);
  assert.deepEqual(leaderCounts(metadata), [[2, 2], [1, 1]]);
});
