import assert from "node:assert/strict";
import type { RoutedEvent } from "../../src/consumer/mod.ts";
import { Leaderboard } from "./leaderboard.ts";

let n = 0;
function collected(player: string, data: unknown, type = "treasure.collected"): RoutedEvent {
  return {
    id: `e-${++n}`,
    type,
    data: data as RoutedEvent["data"],
    player,
    receivedAt: new Date(0),
    edgeId: "edge",
    routeVersion: 1n,
    format: "protobuf",
  };
}

Deno.test("Leaderboard ranks players by the gold they collected, most first, ties by name", () => {
  const board = new Leaderboard();
  board.apply(collected("bob", { gold: 10 }));
  board.apply(collected("alice", { gold: 7 }));
  board.apply(collected("alice", { gold: 3 }));
  board.apply(collected("carol", { gold: 2 }));
  board.apply(collected("dave", { x: 1 }, "player.moved"));
  assert.deepEqual(board.top(2), [
    { rank: 1, player: "alice", gold: 10, chests: 2 },
    { rank: 2, player: "bob", gold: 10, chests: 1 },
  ]);
  assert.equal(board.top(10).length, 3);
  assert.deepEqual(board.standing("carol"), { rank: 3, player: "carol", gold: 2, chests: 1 });
  assert.equal(board.standing("dave"), undefined);
});

Deno.test("Leaderboard refuses a treasure.collected event without a usable data.gold", () => {
  const board = new Leaderboard();
  for (const data of [undefined, null, { gold: "5" }, { gold: -1 }, { chest: 1 }]) {
    assert.throws(() => board.apply(collected("p", data)), /no usable data\.gold/);
  }
  assert.deepEqual(board.top(5), []);
});
