/**
 * When the client refreshes its token: it reads the token's `exp` (without verifying: the edge
 * does that) and refreshes a fifth of the remaining lifetime before it, at least a second and at
 * most a minute ahead.
 *
 * @module
 */

/** Refresh at most this long before `exp`. */
const MAX_LEAD_MS = 60_000;
/** Refresh at least this long before `exp`. */
const MIN_LEAD_MS = 1_000;

/**
 * The `exp` of a JWT, in unix seconds, read from its payload without verifying it; undefined when
 * the token is not a JWT or has no numeric `exp`.
 *
 * @example
 * ```ts
 * import { tokenExpiresAt } from "./token_refresh.ts";
 *
 * const payload = btoa(JSON.stringify({ sub: "p", exp: 1_900_000_000 })).replaceAll("=", "");
 * tokenExpiresAt(`e30.${payload}.sig`); // 1900000000
 * ```
 */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined || payload === "") return undefined;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long to wait, from `nowMs`, before refreshing a token that expires at `expiresAt` (unix
 * seconds): a fifth of the time left before it, between a second and a minute ahead; 0 when that
 * time has come.
 *
 * @example
 * ```ts
 * import { refreshDelayMs } from "./token_refresh.ts";
 *
 * refreshDelayMs(3_600, 0); // 3540000: a minute before an hour's token runs out
 * refreshDelayMs(10, 0); // 8000
 * ```
 */
export function refreshDelayMs(expiresAt: number, nowMs: number): number {
  const leftMs = expiresAt * 1000 - nowMs;
  const leadMs = Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, leftMs / 5));
  return Math.max(0, Math.floor(leftMs - leadMs));
}
