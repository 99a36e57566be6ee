import assert from "node:assert/strict";
import { CHESTS_PER_ROUND, chestsLeft, chestsOf, COLS, newPlayer, pathTo, ROWS, step } from "./world.js";

Deno.test("chestsOf() gives a round the same six chests every time, on distinct cells of the grid", () => {
  for (const round of [1, 2, 3, 50]) {
    const chests = chestsOf(round);
    assert.deepEqual(chestsOf(round), chests);
    assert.equal(chests.length, CHESTS_PER_ROUND);
    assert.equal(new Set(chests.map((c) => `${c.x},${c.y}`)).size, CHESTS_PER_ROUND);
    for (const c of chests) assert.ok(c.x >= 0 && c.x < COLS && c.y >= 0 && c.y < ROWS && c.gold >= 10);
  }
  assert.notDeepEqual(chestsOf(1), chestsOf(2));
});

Deno.test("step() moves one cell and numbers each event it makes; a step off the grid makes none", () => {
  const start = newPlayer();
  const { player, events } = step(start, 1, 0);
  assert.deepEqual(events, [{ type: "player.moved", data: { seq: 1, x: start.x + 1, y: start.y } }]);
  assert.equal(player.seq, 1);
  const edge = { ...start, x: 0 };
  assert.deepEqual(step(edge, -1, 0), { player: edge, events: [] });
});

Deno.test("walking to every chest of a round (a path may cross another chest) collects each once, adds its gold, and starts the next round", () => {
  let player = newPlayer();
  const seqs: number[] = [];
  const chests = chestsOf(1);
  while (player.round === 1) {
    const [dx, dy] = pathTo(player, chestsLeft(player)[0]!)[0]!;
    const next = step(player, dx, dy);
    player = next.player;
    seqs.push(...next.events.map((event) => event.data.seq));
  }
  assert.equal(player.gold, chests.reduce((sum, c) => sum + c.gold, 0));
  assert.equal(player.round, 2);
  assert.deepEqual(player.collected, []);
  assert.deepEqual(seqs, Array.from({ length: player.seq }, (_, i) => i + 1), "seq counts every event, no gaps");
});
