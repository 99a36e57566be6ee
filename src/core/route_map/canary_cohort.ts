/**
 * Which players a canary route map routes: a share of players picked by a stable hash of the
 * canary's salt and the player id, or the players whose verified token carries a claim value.
 *
 * @module
 */
import type { RoutableMap } from "./routable_map.ts";
import type { RouteMapProblem } from "./route_map_problem.ts";

/** Basis points in a whole: 10000 is 100%. */
export const BASIS_POINTS = 10_000;

/** The players a canary routes. */
export type CanaryCohort =
  | { readonly kind: "share"; readonly basisPoints: number; readonly salt: string }
  | { readonly kind: "claim"; readonly claim: string; readonly value: string };

/** The verified claims of a player's token, as the edge hands them to routing. */
export type PlayerClaims = Readonly<Record<string, unknown>>;

/** The cohort of a canary map; undefined for a stable map. */
export function canaryCohortOf(map: RoutableMap): CanaryCohort | undefined {
  const canary = map.canary;
  if (canary === undefined) return undefined;
  if (canary.claim !== "") return Object.freeze({ kind: "claim", claim: canary.claim, value: canary.claimValue });
  return Object.freeze({ kind: "share", basisPoints: canary.basisPoints, salt: canary.salt });
}

/**
 * What is wrong with a map's canary marker. A canary names exactly one cohort: a share of 1 to
 * 10000 basis points, or a claim and its value. An empty marker (`canary {}`) names no one, so it
 * is refused rather than read as a canary that routes no player.
 */
export function canaryProblems(map: RoutableMap): RouteMapProblem[] {
  const canary = map.canary;
  if (canary === undefined) return [];
  if (canary.claim === "" && canary.basisPoints === 0) {
    return [{ path: "canary", message: "a canary needs a cohort: basisPoints 1 to 10000, or a claim and its value" }];
  }
  if (canary.claim !== "" && canary.basisPoints !== 0) {
    return [{ path: "canary", message: "a canary has either basisPoints or a claim, not both" }];
  }
  if (canary.claim === "" && canary.basisPoints > BASIS_POINTS) {
    return [{ path: "canary.basisPoints", message: `basisPoints must be 1 to ${BASIS_POINTS}` }];
  }
  if (canary.claim !== "" && canary.claimValue === "") {
    return [{ path: "canary.claimValue", message: "a claim cohort needs the claim value" }];
  }
  return [];
}

/**
 * A stable hash of `salt` and `player` into [0, 10000): FNV-1a over the UTF-16 code units of
 * `salt`, a separator and `player`, then a murmur3 finaliser so that nearby ids spread evenly.
 */
export function cohortBucket(salt: string, player: string): number {
  let h = 0x811c9dc5;
  const text = `${salt}\u0000${player}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BASIS_POINTS;
}

/**
 * True when `player`, whose verified token carries `claims`, is in `cohort`. The answer depends on
 * nothing else, so a player never flips between maps within one canary.
 */
export function inCanaryCohort(cohort: CanaryCohort, player: string, claims: PlayerClaims | undefined): boolean {
  if (cohort.kind === "share") return cohortBucket(cohort.salt, player) < cohort.basisPoints;
  return claims !== undefined && String(claims[cohort.claim] ?? "\u0000") === cohort.value;
}

/** The cohort as operators write it: `10%` or `cohort=beta`. */
export function describeCohort(cohort: CanaryCohort): string {
  return cohort.kind === "share" ? `${cohort.basisPoints / 100}%` : `${cohort.claim}=${cohort.value}`;
}
