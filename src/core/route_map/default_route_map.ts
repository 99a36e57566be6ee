import { create } from "@bufbuild/protobuf";
import { Format, KeyStrategy, type RouteMap, RouteMapSchema } from "../../gen/veltrix/v1/route_map_pb.ts";

/** Topic for every `player.*` event of the embedded default map. */
export const PLAYER_ACTIVITY_TOPIC = "game.player-activity";
/** Topic for every `treasure.*` event of the embedded default map. */
export const TREASURE_TOPIC = "game.treasure";
/** Topic that also gets `treasure.collected` in the embedded default map. */
export const LEADERBOARD_TOPIC = "game.leaderboard";
/** Dead-letter topic of the embedded default map. */
export const UNROUTED_TOPIC = "veltrix.unrouted";

/**
 * The embedded treasure-hunt route map, version 1: what an edge routes by when no signed map has
 * ever been applied. It is code, compiled in; nothing is read from disk to build it.
 */
export function defaultRouteMap(): RouteMap {
  const byPlayer = (topic: string) => ({ topic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF });
  return create(RouteMapSchema, {
    version: 1n,
    deadLetterTopic: UNROUTED_TOPIC,
    routes: [
      { name: "player-activity", match: "player.*", targets: [byPlayer(PLAYER_ACTIVITY_TOPIC)] },
      { name: "treasure", match: "treasure.*", targets: [byPlayer(TREASURE_TOPIC)] },
      { name: "leaderboard", match: "treasure.collected", targets: [byPlayer(LEADERBOARD_TOPIC)] },
    ],
  });
}
