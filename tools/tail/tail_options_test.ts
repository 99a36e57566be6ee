import assert from "node:assert/strict";
import { defaultTopics, parseDuration, parseTailArgs, TailUsageError } from "./tail_options.ts";

Deno.test("parseDuration() reads ms, s, m, h and d, and refuses anything else", () => {
  assert.deepEqual(["250ms", "30s", "10m", "2h", "1d", "1.5m"].map(parseDuration), [
    250,
    30_000,
    600_000,
    7_200_000,
    86_400_000,
    90_000,
  ]);
  for (const bad of ["10", "m", "-1m", "10 minutes", ""]) assert.throws(() => parseDuration(bad), TailUsageError, bad);
});

Deno.test("parseTailArgs() follows the default map's topics from now on when given nothing", () => {
  const options = parseTailArgs([], 0);
  assert.deepEqual([...options.topics].sort(), [
    "game.leaderboard",
    "game.player-activity",
    "game.treasure",
    "veltrix.unrouted",
  ]);
  assert.deepEqual(defaultTopics().sort(), [...options.topics].sort());
  assert.deepEqual(options.start, { from: "latest" });
  assert.deepEqual(options.filter, {});
  assert.deepEqual(options.brokers, ["127.0.0.1:9092"]);
  assert.equal(options.json, false);
  assert.equal(options.colour, "auto");
});

Deno.test("parseTailArgs() reads topics, filters, --since, --json, --brokers and colour flags", () => {
  const options = parseTailArgs(
    [
      "game.treasure",
      "--type",
      "treasure.*",
      "--player",
      "alice",
      "--id",
      "e-1",
      "--since",
      "10m",
      "--json",
      "--no-color",
    ],
    1_000_000,
    "k1:9092,k2:9092",
  );
  assert.deepEqual(options.topics, ["game.treasure"]);
  assert.deepEqual(options.filter, { type: { kind: "prefix", prefix: "treasure." }, player: "alice", id: "e-1" });
  assert.deepEqual(options.start, { from: "timestamp", timestampMs: 400_000 });
  assert.deepEqual(options.brokers, ["k1:9092", "k2:9092"]);
  assert.equal(options.json, true);
  assert.equal(options.colour, "never");
  assert.deepEqual(parseTailArgs(["--from-beginning", "--color"], 0).start, { from: "earliest" });
  assert.equal(parseTailArgs(["--color"], 0).colour, "always");
});

Deno.test("parseTailArgs() refuses unknown flags, bad patterns and --since with --from-beginning", () => {
  assert.throws(() => parseTailArgs(["--follow"], 0), TailUsageError);
  assert.throws(() => parseTailArgs(["--type", "Treasure!"], 0), /--type/);
  assert.throws(() => parseTailArgs(["--since", "1h", "--from-beginning"], 0), /cannot be used together/);
  assert.throws(() => parseTailArgs(["--since", "soon"], 0), /not a duration/);
});
