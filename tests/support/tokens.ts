import { sign } from "hono/jwt";

/** The JWT secret every test edge is started with. */
export const TEST_JWT_SECRET = "veltrix-test-secret-0123456789";

/** A valid HS256 token for `player`, expiring in an hour unless `claims` says otherwise. */
export function playerToken(player: string, claims: Record<string, unknown> = {}): Promise<string> {
  return sign({ sub: player, exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, TEST_JWT_SECRET, "HS256");
}
