import assert from "node:assert/strict";
import { eventIdPrefix, playerName } from "./event_id.ts";
import { judgeRouting, routedExactly } from "./routing_check.ts";
import { mixEntry } from "./treasure_hunt_mix.ts";

const RUN = "load1234";

/** The records the default map makes of event `n` of player `player`: one per topic, keyed by the player. */
function recordsOf(player: number, n: number, run = RUN) {
  const id = eventIdPrefix(run, player) + n;
  return mixEntry(n).topics.map((topic) => ({
    topic,
    key: playerName(run, player),
    headers: { "veltrix-event-id": id },
  }));
}

/** An event number whose mix entry goes to two topics, and one that goes to one. */
const twoTopics = Array.from({ length: 100 }, (_, n) => n).find((n) => mixEntry(n).topics.length === 2)!;
const oneTopic = Array.from({ length: 100 }, (_, n) => n).find((n) => mixEntry(n).topics.length === 1)!;

Deno.test("judgeRouting() passes events found once in exactly their topics, keyed by their player", () => {
  const records = [...recordsOf(0, twoTopics), ...recordsOf(1, oneTopic), ...recordsOf(0, oneTopic, "otherrun")];
  const check = judgeRouting(records, RUN, [eventIdPrefix(RUN, 0) + twoTopics, eventIdPrefix(RUN, 1) + oneTopic]);
  assert.deepEqual(check, { records: 3, found: 2, missing: 0, misrouted: 0, duplicates: 0, wrongKey: 0 });
  assert.ok(routedExactly(check));
});

Deno.test("judgeRouting() counts missing, misrouted, duplicated and wrongly keyed events", () => {
  const [first, second] = recordsOf(0, twoTopics);
  const single = recordsOf(1, oneTopic)[0]!;
  const wrongKey = { ...recordsOf(2, oneTopic)[0]!, key: "someone-else" };
  const check = judgeRouting(
    [first!, single, single, wrongKey],
    RUN,
    [eventIdPrefix(RUN, 0) + twoTopics, eventIdPrefix(RUN, 1) + oneTopic, eventIdPrefix(RUN, 2) + oneTopic, "not-ours"],
  );
  assert.ok(second, "the two-topic event has a second record, left out above");
  assert.deepEqual(check, { records: 4, found: 3, missing: 1, misrouted: 1, duplicates: 1, wrongKey: 1 });
  assert.ok(!routedExactly(check));
});
