import assert from "node:assert/strict";
import { RecentEventIds } from "./recent_event_ids.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

function waiter() {
  const heard: string[] = [];
  return {
    heard,
    delivered: (id: string) => void heard.push(`ack ${id}`),
    failed: (id: string, error: VeltrixError) => void heard.push(`fail ${id} ${error.code}`),
  };
}

Deno.test("RecentEventIds remembers an id per player until it is acked, and keeps it after", () => {
  const recent = new RecentEventIds({ perPlayer: 8, maxIds: 100 });
  const alice = recent.player("alice");
  recent.begin(alice, "e-1");
  assert.equal(alice.get("e-1")?.acked, false);
  assert.equal(recent.player("bob").get("e-1"), undefined, "ids are per player");
  recent.acked("alice", "e-1");
  assert.equal(recent.player("alice").get("e-1")?.acked, true);
});

Deno.test("RecentEventIds hands the duplicates that waited on an in-flight id to its ack", () => {
  const recent = new RecentEventIds({ perPlayer: 8, maxIds: 100 });
  const ids = recent.player("p");
  const entry = recent.begin(ids, "e-1");
  const w = waiter();
  (entry.waiters ??= []).push(w);
  const waiters = recent.acked("p", "e-1");
  waiters?.forEach((x) => x.delivered("e-1"));
  assert.deepEqual(w.heard, ["ack e-1"]);
  assert.equal(recent.acked("p", "e-1"), undefined, "waiters are handed over once");
});

Deno.test("RecentEventIds forgets a failed id, so that a resend is written again", () => {
  const recent = new RecentEventIds({ perPlayer: 8, maxIds: 100 });
  const ids = recent.player("p");
  const entry = recent.begin(ids, "e-1");
  const w = waiter();
  entry.waiters = [w];
  recent.failed("p", "e-1")?.forEach((x) => x.failed("e-1", new VeltrixError("KAFKA_WRITE_FAILED", "down")));
  assert.deepEqual(w.heard, ["fail e-1 KAFKA_WRITE_FAILED"]);
  assert.equal(recent.player("p").get("e-1"), undefined);
  assert.equal(recent.size, 0);
});

Deno.test("RecentEventIds keeps at most perPlayer acked ids per player, dropping the oldest", () => {
  const recent = new RecentEventIds({ perPlayer: 3, maxIds: 100 });
  const ids = recent.player("p");
  for (let i = 0; i < 5; i++) {
    recent.begin(ids, `e-${i}`);
    recent.acked("p", `e-${i}`);
  }
  assert.deepEqual([...recent.player("p").keys()], ["e-2", "e-3", "e-4"]);
  assert.equal(recent.size, 3);
});

Deno.test("RecentEventIds never drops an id that is still in flight", () => {
  const recent = new RecentEventIds({ perPlayer: 2, maxIds: 100 });
  const ids = recent.player("p");
  recent.begin(ids, "pending");
  for (let i = 0; i < 4; i++) {
    recent.begin(ids, `e-${i}`);
    recent.acked("p", `e-${i}`);
  }
  assert.ok(recent.player("p").has("pending"));
});

Deno.test("RecentEventIds forgets the players seen longest ago once all ids exceed maxIds", () => {
  const recent = new RecentEventIds({ perPlayer: 10, maxIds: 6 });
  for (const player of ["old", "mid", "new"]) {
    const ids = recent.player(player);
    for (let i = 0; i < 3; i++) {
      recent.begin(ids, `${player}-${i}`);
      recent.acked(player, `${player}-${i}`);
    }
  }
  assert.ok(recent.size <= 6);
  assert.equal(recent.player("new").size, 3, "the latest player is kept");
  assert.equal(recent.player("old").size, 0, "the oldest player is forgotten");
});
