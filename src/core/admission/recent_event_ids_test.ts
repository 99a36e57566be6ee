import assert from "node:assert/strict";
import fc from "fast-check";
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
  const recent = new RecentEventIds({ dedupPerPlayer: 8, dedupMaxIds: 100 });
  const alice = recent.player("alice");
  alice.begin("e-1");
  assert.equal(alice.acked("e-1"), false);
  assert.equal(recent.player("bob").acked("e-1"), undefined, "ids are per player");
  recent.of("alice")!.delivered("e-1");
  assert.equal(recent.player("alice").acked("e-1"), true);
});

Deno.test("RecentEventIds.of() finds a player without marking them as seen, and nothing for a stranger", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 8, dedupMaxIds: 100 });
  const alice = recent.player("alice");
  assert.equal(recent.of("alice"), alice);
  assert.equal(recent.of("nobody"), undefined);
});

Deno.test("a player's ids answer a resend: at once when acked, on the first copy's ack while in flight", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 8, dedupMaxIds: 100 });
  const ids = recent.player("p");
  assert.equal(ids.answerResend("e-1", waiter()), false, "an id not remembered is no resend");
  ids.begin("e-1");
  const w = waiter();
  assert.equal(ids.answerResend("e-1", w), true);
  assert.deepEqual(w.heard, [], "it waits while the first copy is in flight");
  ids.delivered("e-1");
  assert.deepEqual(w.heard, ["ack e-1"]);
  ids.delivered("e-1");
  assert.deepEqual(w.heard, ["ack e-1"], "waiters are told once");
  const late = waiter();
  assert.equal(ids.answerResend("e-1", late), true);
  assert.deepEqual(late.heard, ["ack e-1"], "a resend after the ack is acked at once");
});

Deno.test("RecentEventIds forgets a failed id, so that a resend is written again, and fails its waiters", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 8, dedupMaxIds: 100 });
  const ids = recent.player("p");
  ids.begin("e-1");
  const w = waiter();
  ids.answerResend("e-1", w);
  ids.failed("e-1", new VeltrixError("KAFKA_WRITE_FAILED", "down"));
  assert.deepEqual(w.heard, ["fail e-1 KAFKA_WRITE_FAILED"]);
  assert.equal(recent.player("p").acked("e-1"), undefined);
  assert.equal(recent.size, 0);
});

Deno.test("RecentEventIds keeps at most dedupPerPlayer acked ids per player, dropping the oldest", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 3, dedupMaxIds: 100 });
  const ids = recent.player("p");
  for (let i = 0; i < 5; i++) {
    ids.begin(`e-${i}`);
    ids.delivered(`e-${i}`);
  }
  assert.deepEqual([...recent.player("p").ids()], ["e-2", "e-3", "e-4"]);
  assert.equal(recent.size, 3);
});

Deno.test("RecentEventIds never drops an id that is still in flight", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 2, dedupMaxIds: 100 });
  const ids = recent.player("p");
  ids.begin("pending");
  for (let i = 0; i < 4; i++) {
    ids.begin(`e-${i}`);
    ids.delivered(`e-${i}`);
  }
  assert.equal(recent.player("p").acked("pending"), false);
});

Deno.test("RecentEventIds forgets the players seen longest ago once all ids exceed dedupMaxIds", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 10, dedupMaxIds: 6 });
  for (const player of ["old", "mid", "new"]) {
    const ids = recent.player(player);
    for (let i = 0; i < 3; i++) {
      ids.begin(`${player}-${i}`);
      ids.delivered(`${player}-${i}`);
    }
  }
  assert.ok(recent.size <= 6);
  assert.equal(recent.player("new").size, 3, "the latest player is kept");
  assert.equal(recent.player("old").size, 0, "the oldest player is forgotten");
});

Deno.test("RecentEventIds never forgets a player with an id in flight", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 10, dedupMaxIds: 2 });
  const old = recent.player("old");
  old.begin("pending");
  for (const player of ["a", "b"]) {
    const ids = recent.player(player);
    ids.begin(`${player}-0`);
    ids.delivered(`${player}-0`);
  }
  assert.equal(recent.of("old"), old);
  assert.equal(old.acked("pending"), false);
});

Deno.test("RecentEventIds drops the oldest ids past the bound down to the oldest in flight, under any order of outcomes", () => {
  type Op = { kind: "begin" | "ack" | "fail"; n: number };
  const op = fc.record({
    kind: fc.constantFrom("begin", "begin", "ack", "fail"),
    n: fc.nat({ max: 30 }),
  }) as fc.Arbitrary<Op>;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 300 }), (perPlayer, ops) => {
      const recent = new RecentEventIds({ dedupPerPlayer: perPlayer, dedupMaxIds: 1_000_000 });
      const ids = recent.player("p");
      // The model: a Map in insertion order; past the bound, the oldest ids go, down to the oldest in flight.
      const model = new Map<string, boolean>();
      const error = new VeltrixError("KAFKA_WRITE_FAILED", "x");
      for (const { kind, n } of ops) {
        const id = `e-${n}`;
        if (kind === "begin") {
          if (ids.acked(id) !== undefined) continue; // a resend: answered, never begun again
          ids.begin(id);
          model.set(id, false);
          for (const [old, acked] of model) {
            if (model.size <= perPlayer || !acked) break;
            model.delete(old);
          }
        } else if (kind === "ack") {
          ids.delivered(id);
          if (model.has(id)) model.set(id, true);
        } else {
          ids.failed(id, error);
          model.delete(id);
        }
        assert.deepEqual([...ids.ids()], [...model.keys()]);
        assert.equal(recent.size, model.size);
        assert.ok(ids.orderedEntries <= 2 * ids.size + 65 || ids.size > perPlayer);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("RecentEventIds keeps its order list small while every event fails", () => {
  const recent = new RecentEventIds({ dedupPerPlayer: 128, dedupMaxIds: 1_000_000 });
  const ids = recent.player("p");
  const error = new VeltrixError("KAFKA_WRITE_FAILED", "x");
  for (let i = 0; i < 10_000; i++) {
    ids.begin(`e-${i}`);
    ids.failed(`e-${i}`, error);
  }
  ids.begin("last");
  assert.deepEqual([...ids.ids()], ["last"]);
  assert.ok(ids.orderedEntries <= 2 * ids.size + 65, `${ids.orderedEntries} entries kept for ${ids.size} id`);
});
