import assert from "node:assert/strict";
import { eventIdPrefix, parseEventId, playerName } from "./event_id.ts";

Deno.test("parseEventId() gives back the run, player and mix number an id was made from", () => {
  assert.deepEqual(parseEventId(`${eventIdPrefix("b1f2e3s4", 17)}12345`), { run: "b1f2e3s4", player: 17, n: 12345 });
  assert.deepEqual(parseEventId(`${eventIdPrefix("load-7", 0)}0`), { run: "load-7", player: 0, n: 0 });
});

Deno.test("parseEventId() refuses ids of another shape", () => {
  for (const id of ["", "abc", "run-p1-", "run-1-2-3", "run-px-2"]) assert.equal(parseEventId(id), undefined, id);
});

Deno.test("playerName() is unique per run and player", () => {
  assert.equal(playerName("b1s0", 3), "bench-b1s0-p3");
  assert.notEqual(playerName("b1s0", 3), playerName("b1s1", 3));
});
