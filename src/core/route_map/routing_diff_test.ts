import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Format, KeyStrategy, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";
import { defaultRouteMap } from "./default_route_map.ts";
import { routingDifferences } from "./routing_diff.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

interface TargetInit {
  topic: string;
  key?: KeyStrategy;
  format?: Format;
}
interface RouteInit {
  name: string;
  match: string;
  targets: TargetInit[];
}
interface MapInit {
  version: bigint;
  deadLetterTopic: string;
  routes: RouteInit[];
}

/** The default map, as an init to change: player.*, treasure.*, treasure.collected, dead letter. */
function base(): MapInit {
  return {
    version: 1n,
    deadLetterTopic: "veltrix.unrouted",
    routes: [
      { name: "player-activity", match: "player.*", targets: [{ topic: "game.player-activity" }] },
      { name: "treasure", match: "treasure.*", targets: [{ topic: "game.treasure" }] },
      { name: "leaderboard", match: "treasure.collected", targets: [{ topic: "game.leaderboard" }] },
    ],
  };
}

function diff(before: MapInit, after: MapInit) {
  return routingDifferences(create(RouteMapSchema, before), create(RouteMapSchema, after));
}

const pb = (topic: string) => `${topic} (key PLAYER, PROTOBUF)`;

Deno.test("routingDifferences() of identical maps is no change", () => {
  assert.deepEqual(diff(base(), base()), []);
  assert.deepEqual(routingDifferences(defaultRouteMap(), defaultRouteMap()), []);
});

Deno.test("routingDifferences() ignores the version and route names, which do not change where events go", () => {
  const after = base();
  after.version = 9n;
  after.routes = base().routes.map((r, i) => ({ ...r, name: `renamed-${i}` }));
  assert.deepEqual(diff(base(), after), []);
});

Deno.test("routingDifferences() treats UNSPECIFIED key and format as the PLAYER and PROTOBUF they resolve to", () => {
  const after = base();
  after.routes = base().routes.map((r) => ({
    ...r,
    targets: r.targets.map((t) => ({ ...t, key: KeyStrategy.PLAYER, format: Format.PROTOBUF })),
  }));
  assert.deepEqual(diff(base(), after), []);
});

Deno.test("routingDifferences() reports a new exact route under a prefix as that one type", () => {
  const after = base();
  after.routes = [...base().routes, { name: "moves", match: "player.moved", targets: [{ topic: "game.moves" }] }];
  assert.deepEqual(diff(base(), after), [
    {
      type: "player.moved",
      before: [pb("game.player-activity")],
      after: [pb("game.moves"), pb("game.player-activity")],
    },
  ]);
});

Deno.test("routingDifferences() reports a new exact route outside every prefix as leaving the dead letter", () => {
  const after = base();
  after.routes = [...base().routes, { name: "chat", match: "chat.sent", targets: [{ topic: "game.chat" }] }];
  assert.deepEqual(diff(base(), after), [
    { type: "chat.sent", before: [pb("veltrix.unrouted")], after: [pb("game.chat")] },
  ]);
});

Deno.test("routingDifferences() reports a changed topic for the prefix and every exact type under it", () => {
  const after = base();
  after.routes = base().routes.map((r) => r.name === "treasure" ? { ...r, targets: [{ topic: "game.loot" }] } : r);
  assert.deepEqual(diff(base(), after), [
    { type: "treasure.*", before: [pb("game.treasure")], after: [pb("game.loot")] },
    {
      type: "treasure.collected",
      before: [pb("game.leaderboard"), pb("game.treasure")],
      after: [pb("game.leaderboard"), pb("game.loot")],
    },
  ]);
});

Deno.test("routingDifferences() reports a changed key or format on the same topic", () => {
  const after = base();
  after.routes = base().routes.map((r) =>
    r.name === "player-activity"
      ? { ...r, targets: [{ topic: "game.player-activity", key: KeyStrategy.EVENT_TYPE, format: Format.JSON }] }
      : r
  );
  assert.deepEqual(diff(base(), after), [
    {
      type: "player.*",
      before: ["game.player-activity (key PLAYER, PROTOBUF)"],
      after: ["game.player-activity (key EVENT_TYPE, JSON)"],
    },
  ]);

  const formatOnly = base();
  formatOnly.routes = base().routes.map((r) =>
    r.name === "leaderboard" ? { ...r, targets: [{ topic: "game.leaderboard", format: Format.JSON }] } : r
  );
  assert.deepEqual(diff(base(), formatOnly), [
    {
      type: "treasure.collected",
      before: [pb("game.leaderboard"), pb("game.treasure")],
      after: ["game.leaderboard (key PLAYER, JSON)", pb("game.treasure")],
    },
  ]);
});

Deno.test("routingDifferences() reports a removed dead-letter topic as the * row going to no targets", () => {
  const after = base();
  after.deadLetterTopic = "";
  assert.deepEqual(diff(base(), after), [{ type: "*", before: [pb("veltrix.unrouted")], after: [] }]);
  assert.deepEqual(diff(after, base()), [{ type: "*", before: [], after: [pb("veltrix.unrouted")] }]);
});

Deno.test("routingDifferences() reports a prefix route added for the types under it", () => {
  const after = base();
  after.routes = [...base().routes, { name: "chat", match: "chat.*", targets: [{ topic: "game.chat" }] }];
  assert.deepEqual(diff(base(), after), [
    { type: "chat.*", before: [pb("veltrix.unrouted")], after: [pb("game.chat")] },
  ]);
});

Deno.test("routingDifferences() reports a removed route from the side that still names it", () => {
  const after = base();
  after.routes = base().routes.filter((r) => r.name !== "leaderboard");
  assert.deepEqual(diff(base(), after), [
    { type: "treasure.collected", before: [pb("game.leaderboard"), pb("game.treasure")], after: [pb("game.treasure")] },
  ]);
});

Deno.test("routingDifferences() reports a * route as changing every kind of type", () => {
  const after = base();
  after.routes = [...base().routes, { name: "audit", match: "*", targets: [{ topic: "game.audit" }] }];
  assert.deepEqual(diff(base(), after).map((c) => c.type), [
    "*",
    "player.*",
    "treasure.*",
    "treasure.collected",
  ]);
  const all = diff(base(), after).find((c) => c.type === "*");
  assert.deepEqual(all, { type: "*", before: [pb("veltrix.unrouted")], after: [pb("game.audit")] });
});

Deno.test("routingDifferences() lists changes sorted by type", () => {
  const after = base();
  after.routes = [
    ...base().routes,
    { name: "z", match: "zeta.last", targets: [{ topic: "game.z" }] },
    { name: "a", match: "alpha.*", targets: [{ topic: "game.a" }] },
  ];
  const types = diff(base(), after).map((c) => c.type);
  assert.deepEqual(types, ["alpha.*", "zeta.last"]);
});

Deno.test("routingDifferences() throws INVALID_ROUTE_MAP when either map is invalid", () => {
  const bad = base();
  bad.routes = [{ name: "x", match: "player.*", targets: [{ topic: "bad topic" }] }];
  assert.throws(() => diff(base(), bad), (e) => e instanceof VeltrixError && e.code === "INVALID_ROUTE_MAP");
  assert.throws(() => diff(bad, base()), (e) => e instanceof VeltrixError && e.code === "INVALID_ROUTE_MAP");
});
