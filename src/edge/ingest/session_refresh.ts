import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { SessionTokens } from "./ingest_context.ts";

/** Who a connection speaks for: what a refresh token must name again. */
export interface ConnectionPlayer {
  /** The token's `sub`. */
  readonly player: string;
  /** The `sub` as the issuer that signed it qualifies it (`player_identity.ts`). */
  readonly identity: string;
}

/**
 * Checks an in-band refresh token for a connection of `holder`: it must verify, and name the same
 * player from the same issuer (the same `sub` from another trusted issuer, or from the static keys
 * when the connection opened with a trusted issuer's token, is another player). Returns the new
 * deadline, in ms since the epoch (`exp` plus the clock skew), and the token's `exp`; throws a
 * VeltrixError with code UNAUTHORIZED otherwise.
 */
export async function checkRefresh(
  sessions: SessionTokens | undefined,
  token: string,
  holder: ConnectionPlayer,
): Promise<{ readonly expiresAt: number; readonly closeAtMs: number }> {
  if (sessions === undefined) throw new VeltrixError("UNAUTHORIZED", "this edge takes no in-band refresh");
  const session = await sessions.verifySession(token);
  if (session.player !== holder.player) {
    throw new VeltrixError("UNAUTHORIZED", "the refresh token names another player than the connection's");
  }
  if (session.identity !== holder.identity) {
    throw new VeltrixError(
      "UNAUTHORIZED",
      "the refresh token comes from another issuer than the connection's token: a refresh must come from the same issuer",
    );
  }
  return { expiresAt: session.expiresAt, closeAtMs: (session.expiresAt + sessions.clockSkewS) * 1000 };
}
