/**
 * Where a client's token comes from in the WebSocket handshake, the first present winning: the
 * subprotocol list (`Sec-WebSocket-Protocol: veltrix.v1, veltrix.bearer.<jwt>`, the way a browser
 * can send it), the `Authorization: Bearer` header, or, discouraged, the `?token=` query parameter.
 *
 * @module
 */

/** The subprotocol the edge answers with; a client that offers a token in the list offers it too. */
export const VELTRIX_SUBPROTOCOL = "veltrix.v1";

/** The prefix of the subprotocol entry that carries the token. */
export const BEARER_SUBPROTOCOL_PREFIX = "veltrix.bearer.";

/** Where the token of a handshake came from. */
export type TokenSource = "authorization" | "subprotocol" | "query" | "none";

/** The token of a handshake, where it came from, and the subprotocol to answer with. */
export interface HandshakeToken {
  readonly token: string | undefined;
  readonly source: TokenSource;
  /** `veltrix.v1` when the client offered it, so the 101 names it; undefined otherwise. */
  readonly protocol: typeof VELTRIX_SUBPROTOCOL | undefined;
  /** True when the client offered a token in the subprotocol list without offering `veltrix.v1`. */
  readonly bearerWithoutProtocol: boolean;
}

/**
 * Picks the token of a handshake: a `veltrix.bearer.<jwt>` subprotocol entry first, then
 * `Authorization: Bearer`, then `?token=`.
 *
 * @example
 * ```ts
 * import { handshakeToken } from "./handshake_token.ts";
 *
 * const found = handshakeToken(new URL("ws://edge/v1/ingest"), undefined, "veltrix.v1, veltrix.bearer.a.b.c");
 * found.token; // "a.b.c"
 * found.protocol; // "veltrix.v1"
 * ```
 */
export function handshakeToken(
  url: URL,
  authorization: string | undefined,
  protocols: string | undefined,
): HandshakeToken {
  const offered = (protocols ?? "").split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  const protocol = offered.includes(VELTRIX_SUBPROTOCOL) ? VELTRIX_SUBPROTOCOL : undefined;
  const bearerEntry = offered.find((entry) => entry.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  const fromProtocol = bearerEntry?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  const bearerWithoutProtocol = fromProtocol !== undefined && protocol === undefined;
  if (fromProtocol !== undefined && fromProtocol !== "") {
    return { token: fromProtocol, source: "subprotocol", protocol, bearerWithoutProtocol };
  }
  const fromHeader = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (fromHeader !== undefined) return { token: fromHeader, source: "authorization", protocol, bearerWithoutProtocol };
  const fromQuery = url.searchParams.get("token");
  if (fromQuery !== null && fromQuery !== "") {
    return { token: fromQuery, source: "query", protocol, bearerWithoutProtocol };
  }
  return { token: undefined, source: "none", protocol, bearerWithoutProtocol };
}
