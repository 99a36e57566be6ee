import assert from "node:assert/strict";
import { TREASURE_HUNT_MIX } from "../../bench/treasure_hunt_mix.ts";
import { seededRandom as seeded } from "../../bench/seeded_random.ts";
import { chestPosition, type HuntEvent, MAP_SIZE, TreasureHunter, zoneOf } from "./treasure_hunter.ts";

/** A hunt of `steps` events, seeded, so that each run walks the same hunt. */
function hunt(steps: number, seed = 7): { hunter: TreasureHunter; events: HuntEvent[] } {
  const hunter = new TreasureHunter(seeded(seed));
  return { hunter, events: Array.from({ length: steps }, () => hunter.next()) };
}

Deno.test("TreasureHunter's events follow the treasure-hunt mix within 1.5 points of each share", () => {
  const { events } = hunt(100_000);
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), TREASURE_HUNT_MIX.map((e) => e.type).sort(), "exactly the mix's types");
  for (const entry of TREASURE_HUNT_MIX) {
    const share = (100 * counts.get(entry.type)!) / events.length;
    assert.ok(Math.abs(share - entry.weight) < 1.5, `${entry.type}: ${share.toFixed(1)}% (mix: ${entry.weight}%)`);
  }
});

Deno.test("TreasureHunter opens only the chest it clicked, where it stands, and loots only the chest it opened", () => {
  const { events } = hunt(20_000, 11);
  let heading: number | undefined;
  let at: { x: number; y: number } | undefined;
  let opened: number | undefined;
  let loots = 0;
  for (const { type, data } of events) {
    const fields = data as Record<string, number | string | boolean>;
    if (type === "player.moved") at = { x: fields.x as number, y: fields.y as number };
    if (type === "player.clicked" && heading === undefined) heading = Number(String(fields.target).slice(6));
    if (type === "treasure.opened") {
      assert.equal(fields.chest, heading, "the chest it set out for");
      assert.deepEqual(at, chestPosition(fields.chest as number), "standing at the chest");
      opened = fields.chest as number;
      heading = undefined;
    }
    if (type === "treasure.collected" || (type === "player.skipped" && String(fields.quest).endsWith("-empty"))) {
      const chest = type === "treasure.collected" ? fields.chest : Number(String(fields.quest).split("-")[1]);
      assert.equal(chest, opened, "loots the chest it opened");
      opened = undefined;
      loots++;
    }
  }
  assert.ok(loots > 1_000, `${loots} chests looted`);
});

Deno.test("TreasureHunter walks in steps that stay on the map and name the zone they are in", () => {
  const { events } = hunt(20_000, 3);
  const moves = events.filter((e) => e.type === "player.moved").map((e) => e.data as Record<string, number>);
  assert.ok(moves.length > 10_000);
  for (const { x, y, zone } of moves) {
    assert.ok(x! >= 0 && x! < MAP_SIZE && y! >= 0 && y! < MAP_SIZE, `(${x}, ${y}) on the map`);
    assert.equal(zone, zoneOf(x!, y!));
  }
  assert.equal(new Set(moves.map((m) => m.zone)).size, 9, "hunters get everywhere");
});

Deno.test("TreasureHunter collects 10 to 99 gold, and sometimes something rare", () => {
  const { events } = hunt(50_000, 5);
  const loot = events.filter((e) => e.type === "treasure.collected").map((e) => e.data as Record<string, unknown>);
  assert.ok(loot.every((l) => Number.isInteger(l.gold) && (l.gold as number) >= 10 && (l.gold as number) < 100));
  const rare = loot.filter((l) => l.rare === true).length / loot.length;
  assert.ok(rare > 0.03 && rare < 0.09, `rare share ${rare}`);
});
