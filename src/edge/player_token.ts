import { verify } from "hono/jwt";
import { VeltrixError } from "../core/veltrix_error.ts";

/**
 * Verifies a client's HS256 JWT and returns the player id, its `sub`. The token must carry `exp`
 * and must not have expired. Any failure is a VeltrixError with code UNAUTHORIZED.
 */
export async function verifyPlayerToken(token: string | undefined, secret: string): Promise<string> {
  if (token === undefined || token === "") {
    throw new VeltrixError("UNAUTHORIZED", "a token is required: ?token=... or Authorization: Bearer ...");
  }
  let payload;
  try {
    payload = await verify(token, secret, { alg: "HS256", exp: true, nbf: true });
  } catch (cause) {
    throw new VeltrixError("UNAUTHORIZED", `token rejected: ${(cause as Error).message}`, { cause });
  }
  if (typeof payload.exp !== "number") throw new VeltrixError("UNAUTHORIZED", "token has no exp claim");
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw new VeltrixError("UNAUTHORIZED", "token has no sub claim naming the player");
  }
  return payload.sub;
}

/** Picks the token from `?token=` or an `Authorization: Bearer` header. */
export function tokenFromRequest(url: URL, authorization: string | undefined): string | undefined {
  const fromQuery = url.searchParams.get("token");
  if (fromQuery !== null && fromQuery !== "") return fromQuery;
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}
