/**
 * Who a player is to the edge: the key of their recent event ids (dedupe), of their connection count
 * and rate bucket, and what an in-band refresh must match. A `sub` is unique only within the issuer
 * that signed it, so two trusted issuers' `sub: "42"` are two players. Records keep the bare `sub`
 * (`RoutedEvent.player`, the partition key): this key never leaves the edge.
 *
 * @module
 */

/**
 * The identity of the player a verified token names: the bare `sub` for a token verified with the
 * static keys (`VELTRIX_JWT_SECRET`, `VELTRIX_JWT_PUBLIC_KEYS`: one issuer, so single-issuer
 * deployments key players as before), and `sub` qualified by `issuer` for a token of a trusted issuer
 * (`VELTRIX_JWT_ISSUERS`, `issuer` being its configured `iss`). Built once per connection.
 *
 * Distinct (issuer, sub) pairs always give distinct identities, whatever characters they hold: a
 * qualified identity is a NUL then the JSON of `[issuer, sub]`; a bare `sub` that itself begins
 * with a NUL gets a second one (so it can collide neither with a qualified identity, whose second
 * character is `[`, nor with another bare `sub`).
 *
 * @example
 * ```ts
 * import { playerIdentity } from "./player_identity.ts";
 *
 * playerIdentity("42"); // "42"
 * playerIdentity("42", "https://id.a.example") !== playerIdentity("42", "https://id.b.example"); // true
 * ```
 */
export function playerIdentity(sub: string, issuer?: string): string {
  if (issuer !== undefined) return "\u0000" + JSON.stringify([issuer, sub]);
  return sub.startsWith("\u0000") ? "\u0000" + sub : sub;
}
